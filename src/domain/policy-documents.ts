/**
 * Reading IAM policy documents the way IAM evaluates them, for the questions Warden asks of them: "does this allow
 * everything?" (admin rights), "does this deny everything?" (Warden's deny-all is recognised by what it says, never by
 * its name) and "does this restrict?" (a policy or group holding a Deny is never removed by least-privilege cleanup).
 * Documents come from IAM (URL-encoded JSON) or from tests, and may have been written by the person Warden acts
 * against: anything that does not parse grants nothing here, and every shape IAM accepts (a single statement or a
 * list, a string or a list of patterns) is read.
 */
import type { AttachedPolicy } from './inventory';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** IAM's own limit on a managed policy document is 6,144 characters; anything far larger is not a policy. */
const MAX_DOCUMENT_CHARS = 131_072;

/** The document as a JSON value: objects as they are, text parsed (URL-decoded first when IAM returned it encoded). */
export function documentOf(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  if (document.length > MAX_DOCUMENT_CHARS) return undefined;
  for (const text of [document, safeDecode(document)]) {
    if (text === undefined) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The statements of a document (IAM accepts one statement object or a list). */
export function statementsOf(document: unknown): Json[] {
  const parsed = documentOf(document);
  if (!isObject(parsed)) return [];
  const statement = parsed['Statement'];
  const list = Array.isArray(statement) ? statement : [statement];
  return list.filter(isObject);
}

const patterns = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** `*`, `**`, `*:*`: a pattern IAM matches against every action. */
const everyAction = (pattern: string): boolean => /^\*+(:\*+)?$/.test(pattern.trim());

/** `*` or an ARN whose every part after `arn:` is a wildcard: a pattern matching every resource. */
const everyResource = (pattern: string): boolean => {
  const p = pattern.trim();
  if (/^\*+$/.test(p)) return true;
  const parts = p.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts.slice(1).every((part) => part === '' || /^\*+$/.test(part)) && parts.slice(1).some((part) => part !== '');
};

/**
 * Whether a statement in the document allows every action on every resource (administrator rights). Read
 * conservatively, since it decides whether a second approver is needed: an Allow with `NotAction` or `NotResource`
 * counts (it grants all but a few), and conditions are not taken to narrow it.
 */
export function allowsEverything(document: unknown): boolean {
  return statementsOf(document).some((s) => {
    if (s['Effect'] !== 'Allow') return false;
    const actions = 'NotAction' in s || patterns(s['Action']).some(everyAction);
    const resources = 'NotResource' in s || patterns(s['Resource']).some(everyResource);
    return actions && resources;
  });
}

/**
 * Whether a document denies every action on every resource, unconditionally: `Effect: Deny`, every action, every
 * resource, no Condition, no NotAction/NotResource/Principal. An explicit deny wins over every allow in IAM's
 * evaluation, so any other statements beside it do not matter.
 */
export function isDenyAllDocument(document: unknown): boolean {
  return statementsOf(document).some(
    (s) =>
      s['Effect'] === 'Deny' &&
      patterns(s['Action']).some(everyAction) &&
      patterns(s['Resource']).some(everyResource) &&
      !('NotAction' in s) &&
      !('NotResource' in s) &&
      !('Condition' in s) &&
      !('Principal' in s) &&
      !('NotPrincipal' in s),
  );
}

/**
 * Whether a document restricts anything: any Deny statement (conditional or not). Removing such a policy can only
 * raise privilege. A document that is there but cannot be read counts as restricting: Warden never removes what it
 * cannot judge. An absent document (never read) is judged by nothing and does not count.
 */
export function restricts(document: unknown): boolean {
  if (document === undefined) return false;
  const parsed = documentOf(document);
  if (!isObject(parsed) || !('Statement' in parsed)) return true;
  return statementsOf(parsed).some((s) => s['Effect'] === 'Deny');
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
  readonly inlinePolicyDocuments?: Readonly<Record<string, unknown>>;
}

/**
 * How the user is denied everything, if at all: Warden's managed policy attached (its document, when known, must
 * still deny all), or any inline policy whose document denies all (the older inline form, whatever its name).
 * An inline policy merely named like Warden's proves nothing.
 */
export function denyAllIn(holder: PolicyHolder, managedArn: string, managedDocument?: unknown): 'managed' | 'inline' | undefined {
  if (holder.attachedPolicies.some((p) => p.arn === managedArn) && (managedDocument === undefined || isDenyAllDocument(managedDocument))) {
    return 'managed';
  }
  const documents = holder.inlinePolicyDocuments;
  if (documents !== undefined && holder.inlinePolicies.some((name) => isDenyAllDocument(own(documents, name)))) return 'inline';
  return undefined;
}

/** Names of inline policies whose documents deny all. */
export function denyAllInlineNames(holder: PolicyHolder): string[] {
  const documents = holder.inlinePolicyDocuments;
  return documents === undefined ? [] : holder.inlinePolicies.filter((name) => isDenyAllDocument(own(documents, name)));
}

/** A record's own member (policy names such as `__proto__` or `constructor` are someone's input, not keys of Object). */
export const own = (record: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
