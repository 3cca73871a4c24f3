/**
 * Reading IAM policy documents the way IAM evaluates them, for the questions Warden asks of them. Documents come from
 * IAM (URL-encoded JSON) or from tests, and may have been written by the person Warden acts against: anything that does
 * not parse grants nothing here, and every shape IAM accepts (a single statement or a list, a string or a list of
 * patterns) is read.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The document as a JSON value: objects as they are, text parsed (URL-decoded first when IAM returned it encoded). */
function documentOf(document: unknown): unknown {
  if (typeof document !== 'string') return document;
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
