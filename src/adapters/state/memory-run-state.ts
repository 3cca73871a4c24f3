import type { RunRecord, RunStateStore } from '../../ports';
import { finishedMs, isBaselineRun } from './run-lock';
import type { LockResult, RunLock } from './run-lock';

/** In-memory run state and locks, for tests, the demo and planner-only paths. */
export class MemoryRunStateStore implements RunStateStore, RunLock {
  private readonly runs = new Map<string, RunRecord>();
  private readonly locks = new Map<string, { owner: string; expiresAt: Date }>();

  async lastCompleted(): Promise<RunRecord | undefined> {
    let latest: RunRecord | undefined;
    for (const run of this.runs.values()) {
      if (isBaselineRun(run) && (latest === undefined || finishedMs(run) >= finishedMs(latest))) latest = run;
    }
    return latest;
  }

  async record(run: RunRecord): Promise<void> {
    this.runs.set(run.runId, run);
  }

  async acquireLock(name: string, owner: string, ttlMs: number, now: Date): Promise<LockResult> {
    const held = this.locks.get(name);
    if (held && held.owner !== owner && held.expiresAt.getTime() > now.getTime()) {
      return { acquired: false, heldBy: held.owner, expiresAt: held.expiresAt };
    }
    const expiresAt = new Date(now.getTime() + ttlMs);
    this.locks.set(name, { owner, expiresAt });
    return { acquired: true, expiresAt };
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    if (this.locks.get(name)?.owner !== owner) return false;
    this.locks.delete(name);
    return true;
  }
}
