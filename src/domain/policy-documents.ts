/**
 * Reading IAM policy documents the way IAM evaluates them, for the two questions Warden asks: "does this deny
 * everything?" (Warden's deny-all is recognised by what it says, never by its name) and "does this restrict?"
 * (a policy or group holding a Deny is never removed by least-privilege cleanup). Documents are hostile input:
 * anyone who can write a user's policies chooses them.
 */

import type { AttachedPolicy } from './inventory';

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
}

/** IAM's own limit on a managed policy document is 6,144 characters; inline ones are smaller. Anything far larger is not a policy. */
const MAX_DOCUMENT_CHARS = 131_072;

/** The statements of a document, or undefined when it is not a policy IAM would accept (not JSON, no Statement). */
export function policyStatements(document: string): readonly Statement[] | undefined {
  if (document.length > MAX_DOCUMENT_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    try {
      // GetAccountAuthorizationDetails and GetUserPolicy return documents URL-encoded; most SDKs do not decode them.
      parsed = JSON.parse(decodeURIComponent(document));
    } catch {
      return undefined;
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const statement = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement !== undefined ? [statement] : undefined;
  if (list === undefined) return undefined;
  return list.filter((s): s is Statement => s !== null && typeof s === 'object' && !Array.isArray(s));
}

const isStar = (value: unknown): boolean => value === '*' || (Array.isArray(value) && value.includes('*'));

/**
 * Whether a document denies every action on every resource, unconditionally: `Effect: Deny`, `Action: *`,
 * `Resource: *`, no Condition, no NotAction/NotResource/Principal. An explicit deny wins over every allow in
 * IAM's evaluation, so any other statements beside it do not matter.
 */
export function isDenyAllDocument(document: string): boolean {
  const statements = policyStatements(document);
  if (statements === undefined) return false;
  return statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      isStar(s.Action) &&
      isStar(s.Resource) &&
      s.NotAction === undefined &&
      s.NotResource === undefined &&
      s.Condition === undefined &&
      s.Principal === undefined &&
      s.NotPrincipal === undefined,
  );
}

/**
 * Whether a document restricts anything: any Deny statement (conditional or not). Removing such a policy can only
 * raise privilege. A document that cannot be read counts as restricting: Warden never removes what it cannot judge.
 */
export function restricts(document: string | undefined): boolean {
  if (document === undefined) return false;
  const statements = policyStatements(document);
  if (statements === undefined) return true;
  return statements.some((s) => s.Effect === 'Deny');
}

/** The ARN of Warden's managed deny-all policy in the account of a principal ARN (`arn:aws:iam::123…:user/bob`). */
export function denyAllPolicyArn(principalArn: string, account: string, policyName: string): string {
  const partition = principalArn.split(':')[1];
  return `arn:${partition !== undefined && partition !== '' ? partition : 'aws'}:iam::${account}:policy/${policyName}`;
}

/** What carries a user's policies: the bulk inventory or live detail. */
export interface PolicyHolder {
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
  readonly inlinePolicyDocuments?: Readonly<Record<string, string>>;
}

/**
 * How the user is denied everything, if at all: Warden's managed policy attached (its document, when known, must
 * still deny all), or any inline policy whose document denies all (the older inline form, whatever its name).
 * An inline policy merely named like Warden's proves nothing.
 */
export function denyAllIn(holder: PolicyHolder, managedArn: string, managedDocument?: string): 'managed' | 'inline' | undefined {
  if (holder.attachedPolicies.some((p) => p.arn === managedArn) && (managedDocument === undefined || isDenyAllDocument(managedDocument))) {
    return 'managed';
  }
  const documents = holder.inlinePolicyDocuments;
  if (documents !== undefined && holder.inlinePolicies.some((name) => isDenyAllInline(documents, name))) return 'inline';
  return undefined;
}

/** Names of inline policies whose documents deny all. */
export function denyAllInlineNames(holder: PolicyHolder): string[] {
  const documents = holder.inlinePolicyDocuments;
  return documents === undefined ? [] : holder.inlinePolicies.filter((name) => isDenyAllInline(documents, name));
}

const isDenyAllInline = (documents: Readonly<Record<string, string>>, name: string): boolean => {
  const document = Object.prototype.hasOwnProperty.call(documents, name) ? documents[name] : undefined;
  return document !== undefined && isDenyAllDocument(document);
};
