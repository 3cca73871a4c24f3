import { countsTowardGuard, type GuardResult, type Plan } from './plan';
import type { GuardPolicy } from './policy';
import type { InputError, Roster } from './roster';

export interface GuardInput {
  readonly plan: Plan;
  /** Active people on the roster now (see `activeHeadcount`). */
  readonly activeHeadcount: number;
  /** Active headcount of the last completed run; absent on the first run. */
  readonly lastActiveHeadcount?: number;
  readonly policy: GuardPolicy;
}

/** People with status active: the number the guard compares between runs. */
export const activeHeadcount = (roster: Roster): number => roster.people.reduce((n, p) => n + (p.status === 'active' ? 1 : 0), 0);

const describeInputError = (e: InputError): string =>
  `${e.source}${e.line !== undefined ? `:${e.line}` : ''}${e.column !== undefined ? ` ${e.column}` : ''}: ${e.message}`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Fails closed before anything is applied: an empty or unusable roster, a sharp fall in active headcount since the last
 * run, or more revocations than allowed trips the guard.
 */
export function evaluateGuard(input: GuardInput): GuardResult {
  const { plan, policy } = input;
  const reasons: string[] = [];
  if (plan.summary.people === 0) {
    // parseRoster returns no people when the file itself is unusable (e.g. a missing column), so that lands here too.
    if (plan.errors.length === 0) {
      reasons.push('The roster is empty: it lists no people, which would make every IAM user an orphan.');
    } else {
      const shown = plan.errors.slice(0, 3).map(describeInputError).join('; ');
      const more = plan.errors.length > 3 ? ` (and ${plan.errors.length - 3} more)` : '';
      reasons.push(`The roster has no valid people: ${shown}${more}.`);
    }
  }
  const last = input.lastActiveHeadcount;
  if (last !== undefined && last > 0 && input.activeHeadcount < last) {
    const dropPercent = ((last - input.activeHeadcount) / last) * 100;
    if (dropPercent > policy.maxHeadcountDropPercent) {
      reasons.push(
        `Active headcount fell from ${last} to ${input.activeHeadcount} since the last run ` +
          `(${dropPercent.toFixed(1)}% drop, limit ${policy.maxHeadcountDropPercent}%).`,
      );
    }
  }
  // A joiner quarantine cuts access as a revocation does: a roster export that lost its acceptance columns must not deny
  // everyone. Reviews' revocations count too (countsTowardGuard).
  const revocations = plan.actions.filter((a) => countsTowardGuard(a) || a.reason === 'joiner-quarantine').length;
  if (revocations > policy.maxRevocations) {
    reasons.push(`The plan has ${plural(revocations, 'revocation action')}, more than the limit of ${policy.maxRevocations}.`);
  }
  return { tripped: reasons.length > 0, reasons };
}

/** The plan with the guard's verdict filled in. */
export const withGuard = (plan: Plan, guard: GuardResult): Plan => ({ ...plan, guard });
