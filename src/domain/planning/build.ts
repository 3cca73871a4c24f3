import { createHash } from 'node:crypto';
import { ACTION_KIND_ORDER, ACTION_KIND_TABLE, type ActionTargets, type Plane } from '../action-kinds';
import type { Action, ActionKind, ActionOf, ActionReason, Control, Finding, FindingKind, Severity } from '../plan';
import type { PersonRef } from '../roster';

/** Sorted-key JSON, so the same target always hashes the same. */
export function canonicalTarget(target: object): string {
  const entries = Object.entries(target).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** Deterministic action id: the first 16 hex digits of sha256(kind|account|userName|canonical target). */
export function actionId(kind: ActionKind, account: string, userName: string, target: object): string {
  return createHash('sha256').update(`${kind}|${account}|${userName}|${canonicalTarget(target)}`).digest('hex').slice(0, 16);
}

export interface ActionFields {
  readonly account: string;
  readonly userName: string;
  readonly reason: ActionReason;
  readonly control: Control;
  readonly person?: PersonRef;
}

/** Builds an action of one kind with its deterministic id. */
export function makeAction<K extends ActionKind>(kind: K, fields: ActionFields, target: ActionTargets[K]): ActionOf<K> {
  // Looked up as possibly absent: callers outside the type system (parsed input) may name no kind.
  const plane = (ACTION_KIND_TABLE as Partial<Record<string, { readonly plane: Plane }>>)[kind]?.plane;
  const action = {
    id: actionId(kind, fields.account, fields.userName, target),
    kind,
    account: fields.account,
    userName: fields.userName,
    target,
    reason: fields.reason,
    ...(fields.person !== undefined ? { person: fields.person } : {}),
    control: fields.control,
    // Plan JSON's `plane`: absent means `iam`, so IAM actions stay as they were.
    ...(plane !== undefined && plane !== 'iam' ? { plane } : {}),
  };
  // TypeScript cannot narrow a generic kind onto the union member; the fields above are exactly ActionOf<K>.
  return action as unknown as ActionOf<K>;
}

/** Order within one user: cut access first (deny-all, then each credential), tidy privileges after, delete last. */
export { ACTION_KIND_ORDER };

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts by account, user name, kind order, then target, so the same inputs always give the same plan. */
export function sortActions(actions: readonly Action[]): Action[] {
  return actions
    .map((action) => ({ action, target: canonicalTarget(action.target) }))
    .sort(
      (a, b) =>
        compareText(a.action.account, b.action.account) ||
        compareText(a.action.userName, b.action.userName) ||
        ACTION_KIND_ORDER[a.action.kind] - ACTION_KIND_ORDER[b.action.kind] ||
        compareText(a.target, b.target),
    )
    .map(({ action }) => action);
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { high: 0, medium: 1, low: 2, info: 3 };

/** Sorts most severe first, then by kind, account, user and detail. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      compareText(a.kind, b.kind) ||
      compareText(a.account ?? '', b.account ?? '') ||
      compareText(a.userName ?? '', b.userName ?? '') ||
      compareText(a.person?.email ?? '', b.person?.email ?? '') ||
      compareText(a.detail, b.detail),
  );
}

export interface FindingFields {
  readonly account?: string;
  readonly userName?: string;
  readonly person?: PersonRef;
  readonly instanceId?: string;
}

/** Builds a finding, leaving absent fields out (exactOptionalPropertyTypes). */
export function makeFinding(kind: FindingKind, severity: Severity, control: Control, fields: FindingFields, detail: string): Finding {
  return {
    kind,
    severity,
    control,
    ...(fields.account !== undefined ? { account: fields.account } : {}),
    ...(fields.userName !== undefined ? { userName: fields.userName } : {}),
    ...(fields.person !== undefined ? { person: fields.person } : {}),
    ...(fields.instanceId !== undefined ? { instanceId: fields.instanceId } : {}),
    detail,
  };
}
