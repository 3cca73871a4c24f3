import type { Action } from '../../domain/plan';
import { isHostAction } from '../../domain/planning/hosts';
import { keyFingerprint } from '../../domain/ssh-key';
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

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The resource an action changes, as a result entry names it so it reads alone (without its `intent` entry): the IAM
 * user and the key, certificate, credential, group or policy id; or the host, OS user and key by fingerprint (the key's
 * body stays in the intent entry). Derived from the action's own target, so a new kind needs nothing here.
 */
export function auditResource(action: Action): Readonly<Record<string, unknown>> {
  const target: Readonly<Record<string, unknown>> = action.target;
  if (!isHostAction(action)) return { userName: action.userName, ...target };
  const { keyBody, ...rest } = target;
  const fingerprint = typeof keyBody === 'string' ? keyFingerprint(keyBody) : undefined;
  const { comment, ...named } = rest;
  return { ...named, ...(fingerprint !== undefined ? { fingerprint } : {}), ...(comment !== undefined ? { comment } : {}) };
}

/** A result's `after`: the plan action id and resource first, then what the adapter reported of the state it left. */
export function resultAfter(action: Action, state: unknown): Readonly<Record<string, unknown>> {
  const reported = state === undefined ? {} : typeof state === 'object' && state !== null && !Array.isArray(state) ? (state as Record<string, unknown>) : { state };
  return { ...reported, actionId: action.id, resource: auditResource(action) };
}
