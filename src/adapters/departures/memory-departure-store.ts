import type { AddResult, Approval, Departure, DepartureAttempt, DepartureChange, DepartureStore, PathStatus, SlackThreadRef } from '../../ports/departures';
import { approveTransition, attemptTransition, cancelTransition, departureQueries, threadTransition } from '../../domain/departure-lifecycle';

/** In-memory departures for tests and the demo; same state machine as the durable stores. */
export class MemoryDepartureStore implements DepartureStore {
  private readonly departures = new Map<string, Departure>();

  async add(departure: Departure): Promise<AddResult> {
    const existing = this.departures.get(departure.id);
    if (existing !== undefined) return { added: false, existing };
    this.departures.set(departure.id, departure);
    return { added: true, departure };
  }

  async get(id: string): Promise<Departure | undefined> {
    return this.departures.get(id);
  }

  async listPending(): Promise<readonly Departure[]> {
    return departureQueries.pending([...this.departures.values()]);
  }

  async listDue(now: Date): Promise<readonly Departure[]> {
    return departureQueries.due([...this.departures.values()], now);
  }

  async listEffective(): Promise<readonly Departure[]> {
    return departureQueries.effective([...this.departures.values()]);
  }

  async approve(id: string, approval: Approval): Promise<DepartureChange> {
    return this.change(id, (d) => approveTransition(d, approval));
  }

  async cancel(id: string, cancelled: Approval): Promise<DepartureChange> {
    return this.change(id, (d) => cancelTransition(d, cancelled));
  }

  async recordAttempt(id: string, attempt: DepartureAttempt, paths: readonly PathStatus[]): Promise<DepartureChange> {
    return this.change(id, (d) => attemptTransition(d, attempt, paths));
  }

  async attachThread(id: string, thread: SlackThreadRef): Promise<DepartureChange> {
    return this.change(id, (d) => threadTransition(d, thread));
  }

  private change(id: string, transition: (d: Departure) => DepartureChange): DepartureChange {
    const current = this.departures.get(id);
    if (current === undefined) return { ok: false, reason: 'not-found' };
    const result = transition(current);
    if (result.ok) this.departures.set(id, result.departure);
    return result;
  }
}
