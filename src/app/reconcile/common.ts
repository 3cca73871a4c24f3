import type { Action } from '../../domain/plan';
import type { ActionOutcome } from '../../ports';

export interface ActionRecord {
  readonly action: Action;
  readonly outcome: ActionOutcome;
}

export interface VerificationRecord {
  readonly account: string;
  readonly userName: string;
  readonly verified: boolean;
  /** The user was a leaver's or orphan's and nothing is left open (or it was deleted). */
  readonly noAccessLeft: boolean;
  /** Access paths still open (empty when verified). */
  readonly remaining: readonly string[];
}

export const userKey = (account: string, userName: string): string => `${account}\u0000${userName}`;

export { errorText } from '../../errors';
