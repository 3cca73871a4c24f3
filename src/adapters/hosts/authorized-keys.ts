/** authorized_keys lines, split the way OpenSSH's sshd reads them (and the scripts' awk mirrors). Pure. */

/** One key line of an authorized_keys file, split the way OpenSSH's sshd reads it. */
export interface AuthorizedKeyLine {
  /** The options prefix (`from="…",command="…"`), when the line has one. */
  readonly options?: string;
  readonly keyType: string;
  readonly keyBody: string;
  readonly comment: string;
}

const KNOWN_KEY_TYPES: ReadonlySet<string> = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);
/** A key body as OpenSSH's base64 decoder accepts it, whitespace removed. */
export const BASE64_BODY = /^[A-Za-z0-9+/]+=*$/;
const UNKNOWN_TYPE = /^[A-Za-z0-9][A-Za-z0-9@._+-]*$/;
const BLANK = /[ \t]/;
/** Whitespace OpenSSH's base64 decoder skips inside a key body (the body itself ends at a space or tab). */
const BODY_WHITESPACE = /[\v\f\r\n]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

function isKnownKeyType(type: string): boolean {
  return KNOWN_KEY_TYPES.has(type) || type.endsWith('-cert-v01@openssh.com');
}

/** Same rules as `w_split_key` in the scripts' awk: "type body [comment]". */
function splitKey(s: string): Omit<AuthorizedKeyLine, 'options'> | undefined {
  const typeEnd = s.search(BLANK);
  if (typeEnd < 0) return undefined;
  const keyType = s.slice(0, typeEnd);
  const rest = s.slice(typeEnd + 1).replace(/^[ \t]+/, '');
  const bodyEnd = rest.search(BLANK);
  const keyBody = (bodyEnd < 0 ? rest : rest.slice(0, bodyEnd)).replace(BODY_WHITESPACE, '');
  const comment = (bodyEnd < 0 ? '' : rest.slice(bodyEnd + 1).replace(/^[ \t]+/, '')).replace(CONTROL, ' ').replace(/ +$/, '');
  if (!BASE64_BODY.test(keyBody)) return undefined;
  if (!isKnownKeyType(keyType) && !(UNKNOWN_TYPE.test(keyType) && keyBody.startsWith('AAAA'))) return undefined;
  return { keyType, keyBody, comment };
}

/**
 * Splits one authorized_keys line as sshd does (and as the host scripts' awk does, to name what
 * ssh-keygen accepted): blank lines, comments and lines that hold no key give undefined. Whitespace
 * other than space and tab inside the body (\v, \f, \r) is dropped, as OpenSSH's decoder skips it;
 * control characters in the comment become spaces.
 */
export function parseAuthorizedKeyLine(line: string): AuthorizedKeyLine | undefined {
  // sshd reads a line as a C string: nothing after a NUL byte exists for it.
  const nul = line.indexOf('\u0000');
  const s = (nul < 0 ? line : line.slice(0, nul)).replace(/\n$/, '').replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return undefined;
  const plain = splitKey(s);
  if (plain !== undefined) return plain;
  // sshkey_advance_past_options: options end at the first blank outside double quotes; \" never toggles.
  let quoted = false;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (!quoted && (c === ' ' || c === '\t')) break;
    if (c === '\\' && s[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
  }
  if (quoted) return undefined;
  const key = splitKey(s.slice(i).replace(/^[ \t]+/, ''));
  return key === undefined ? undefined : { options: s.slice(0, i), ...key };
}

/**
 * The base64 body of an OpenSSH public key line (with or without options and comment), or the
 * input itself when it already is a bare body. Keys are matched by body, never by fingerprint:
 * IAM reports MD5 fingerprints, ssh-keygen SHA256 ones.
 */
export function normaliseKeyBody(line: string): string | undefined {
  const trimmed = line.trim();
  if (BASE64_BODY.test(trimmed) && trimmed.startsWith('AAAA')) return trimmed;
  return parseAuthorizedKeyLine(trimmed)?.keyBody;
}
