/** One request the sandbox answered (including throttled and fault-injected ones). */
export interface CallRecord {
  readonly service: string;
  readonly action: string;
  readonly account: string;
  readonly status: number;
  /** AWS error code when the call failed. */
  readonly errorCode?: string;
}

/** Counts the calls a sandbox served, for assertions on call budgets, retries and pagination. */
export class CallLog {
  private records: CallRecord[] = [];

  record(call: CallRecord): void {
    this.records.push(call);
  }

  /** All calls, or those of one action: `ListUsers`, or `iam:ListUsers` to also match the service. */
  count(action?: string): number {
    if (action === undefined) return this.records.length;
    const match = matcher(action);
    return this.records.filter(match).length;
  }

  /** Calls of one action that failed with `errorCode` (e.g. `Throttling`). */
  failures(action?: string, errorCode?: string): number {
    const match = action === undefined ? () => true : matcher(action);
    return this.records.filter((r) => r.errorCode !== undefined && match(r) && (errorCode === undefined || r.errorCode === errorCode)).length;
  }

  /** Calls per action name, e.g. `{ ListUsers: 3, GetCredentialReport: 1 }`. */
  byAction(): Record<string, number> {
    return tally(this.records, (r) => r.action);
  }

  /** Calls per signing service, e.g. `{ iam: 12, sts: 1 }`. */
  byService(): Record<string, number> {
    return tally(this.records, (r) => r.service);
  }

  entries(): readonly CallRecord[] {
    return [...this.records];
  }

  reset(): void {
    this.records = [];
  }
}

function matcher(action: string): (r: CallRecord) => boolean {
  const colon = action.indexOf(':');
  if (colon < 0) return (r) => r.action === action;
  const service = action.slice(0, colon);
  const name = action.slice(colon + 1);
  return (r) => r.service === service && r.action === name;
}

function tally(records: readonly CallRecord[], keyOf: (r: CallRecord) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const key = keyOf(r);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
