import type { Approval, Departure, DepartureAttempt } from '../../ports/departures';

/** JSON form of a departure (dates as ISO strings) for stores that keep documents. */
export function encodeDeparture(departure: Departure): string {
  return JSON.stringify(departure);
}

type Json = Record<string, unknown>;

const date = (value: unknown, field: string): Date => {
  const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(parsed.getTime())) throw new Error(`stored departure has an invalid ${field}`);
  return parsed;
};

const approval = (value: unknown): Approval => {
  const a = value as Json;
  return { by: String(a['by']), at: date(a['at'], 'approval time') };
};

/** Reads back what `encodeDeparture` wrote; a corrupt document throws (a crash, not an expected failure). */
export function decodeDeparture(text: string): Departure {
  const raw = JSON.parse(text) as Json;
  const attempt = raw['lastAttempt'] as Json | undefined;
  const lastAttempt: DepartureAttempt | undefined =
    attempt === undefined ? undefined : ({ ...attempt, at: date(attempt['at'], 'attempt time') } as unknown as DepartureAttempt);
  const base = raw as unknown as Departure;
  return {
    ...base,
    effectiveAt: date(raw['effectiveAt'], 'effectiveAt'),
    createdAt: date(raw['createdAt'], 'createdAt'),
    approvals: ((raw['approvals'] as unknown[] | undefined) ?? []).map(approval),
    paths: base.paths ?? [],
    ...(lastAttempt !== undefined ? { lastAttempt } : {}),
    ...(raw['noAccessLeftAt'] !== undefined ? { noAccessLeftAt: date(raw['noAccessLeftAt'], 'noAccessLeftAt') } : {}),
    ...(raw['cancelled'] !== undefined ? { cancelled: approval(raw['cancelled']) } : {}),
    ...(Array.isArray(raw['cancelRequests']) ? { cancelRequests: (raw['cancelRequests'] as unknown[]).map(approval) } : {}),
  };
}
