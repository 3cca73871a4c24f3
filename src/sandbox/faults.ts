import { apiError, type ApiError } from './errors';

/** Make the next `times` calls of an action fail with an AWS error. */
export interface FaultRule {
  readonly action: string;
  readonly code: string;
  /** How many calls fail (default 1). */
  readonly times?: number;
  /** HTTP status; defaults to AWS's for the code (409 ConcurrentModification, 500 ServiceFailure…). */
  readonly status?: number;
  readonly message?: string;
  /** Only calls to this signing service (`iam`, `ssm`…). */
  readonly service?: string;
  /** Only calls made in this account. */
  readonly account?: string;
  /** Only calls whose request carries these parameters (e.g. `{ UserName: 'bob' }`: one user's reads fail). */
  readonly params?: Readonly<Record<string, string>>;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

/** Planned failures, consumed in order as matching calls arrive; lets tests exercise retries and partial failure. */
export class FaultPlan {
  private readonly rules: ActiveRule[] = [];

  constructor(rules: readonly FaultRule[] = []) {
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule): this {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
    return this;
  }

  /** Shorthand: `faults.fail('DeleteAccessKey', 'ServiceFailure', { times: 2 })`. */
  fail(action: string, code: string, options: Omit<FaultRule, 'action' | 'code'> = {}): this {
    return this.add({ ...options, action, code });
  }

  /** The error for this call when a rule matches (consuming one of its failures), else undefined. */
  take(call: {
    readonly service: string;
    readonly action: string;
    readonly account: string;
    readonly params?: ReadonlyMap<string, string>;
  }): ApiError | undefined {
    const active = this.rules.find(
      ({ rule, remaining }) =>
        remaining > 0 &&
        rule.action === call.action &&
        (rule.service === undefined || rule.service === call.service) &&
        (rule.account === undefined || rule.account === call.account) &&
        (rule.params === undefined || Object.entries(rule.params).every(([key, value]) => call.params?.get(key) === value)),
    );
    if (!active) return undefined;
    active.remaining--;
    const { rule } = active;
    return apiError(rule.code, rule.message ?? `Injected fault: ${rule.code}`, rule.status);
  }

  /** Failures still planned. */
  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  clear(): void {
    this.rules.length = 0;
  }
}
