import { ACTION_KIND_TABLE, CREDENTIAL_KINDS, type ActionKind, type ActionTargets } from './action-kinds';
import { DETAIL_PATHS, type DetailPath, type IamUserDetail } from './inventory';
import type { Action } from './plan';
import { denyAllIn } from './policy-documents';

/**
 * Access paths still open on a user after revocation. Empty means "no access left": no active key, password, SSH key,
 * certificate or service credential (every kind the descriptor table lists as a credential), no group, and a deny-all
 * in place (Warden's managed policy, or an inline policy whose document denies all), every path read. The managed
 * policy counts only when its default version denies everything, when `denyAllDocument` says what that version is.
 */
export function remainingAccess(detail: IamUserDetail, denyAllArn: string, denyAllDocument?: unknown): string[] {
  const open: string[] = unverifiedPaths(detail);
  const unread = new Set((detail.unread ?? []).map((u) => u.path));
  for (const kind of CREDENTIAL_KINDS) {
    for (const credential of ACTION_KIND_TABLE[kind].credentials?.(detail) ?? []) if (credential.active) open.push(credential.label);
  }
  for (const group of detail.groups) open.push(`member of group ${group}`);
  const denyAllUnknown = unread.has('inline-policies') || unread.has('attached-policies');
  if (!denyAllUnknown && denyAllIn(detail, denyAllArn, denyAllDocument) === undefined) {
    const attached = detail.attachedPolicies.some((p) => p.arn === denyAllArn);
    open.push(attached ? `deny-all policy ${denyAllArn} is attached but does not deny everything (its default version was changed)` : `deny-all policy ${denyAllArn} missing`);
  }
  return open;
}

/** One line per path the re-read could not see (only those some actions change, when given): never counted as closed. */
export function unverifiedPaths(detail: IamUserDetail, changedBy?: readonly Action[]): string[] {
  const relevant = (path: DetailPath): boolean => changedBy === undefined || changedBy.some((a) => ACTION_KIND_TABLE[a.kind].reads === path);
  return (detail.unread ?? []).filter((u) => relevant(u.path)).map((u) => `${DETAIL_PATHS[u.path].label} not verified (${u.api} failed: ${u.error})`);
}

/** Whether the re-read could not see the path an action changes (its effect is then unverified, not confirmed). */
export function actionUnverifiable(action: Action, detail: IamUserDetail | undefined): boolean {
  const path = ACTION_KIND_TABLE[action.kind].reads;
  if (detail?.unread === undefined || path === undefined) return false;
  return detail.unread.some((u) => u.path === path);
}

/** Whether an IAM action's effect shows in the user's live state (undefined detail: the user is gone). */
export function actionHolds<K extends ActionKind>(action: { readonly kind: K; readonly target: ActionTargets[K] }, detail: IamUserDetail | undefined): boolean {
  if (detail === undefined) return true;
  return ACTION_KIND_TABLE[action.kind].holds(action.target, detail);
}
