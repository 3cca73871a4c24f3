import type { AttachedPolicy as SdkAttachedPolicy, IAMClient, Tag } from '@aws-sdk/client-iam';
import type { AttachedPolicy, CredentialStatus } from '../../../domain/inventory';
import type { Clock } from '../../../ports';
import { jitteredBackoff } from '../../../lib/concurrency';
import { IamCallError } from './errors';

/** Where the adapter reports what it tolerated (a missing credential report, a retried conflict). */
export interface IamDirectoryLog {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  debug?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Knobs with safe defaults; tests shrink the waits. */
export interface IamDirectoryTuning {
  /** IAM calls in flight at once while describing users. */
  readonly describeConcurrency: number;
  /** Attempts (including the first) on ConcurrentModification / EntityTemporarilyUnmodifiable, on top of the SDK's retries. */
  readonly conflictAttempts: number;
  readonly conflictBaseMs: number;
  readonly conflictCapMs: number;
  /** Total time spent waiting for the credential report before going on without it. */
  readonly reportBudgetMs: number;
  readonly reportBaseMs: number;
  readonly reportCapMs: number;
}

export const DEFAULT_IAM_TUNING: IamDirectoryTuning = {
  describeConcurrency: 4,
  conflictAttempts: 5,
  conflictBaseMs: 200,
  conflictCapMs: 5_000,
  reportBudgetMs: 60_000,
  reportBaseMs: 500,
  reportCapMs: 8_000,
};

export const PAGE_SIZE = 1000;
const CONFLICT_CODES: ReadonlySet<string> = new Set(['ConcurrentModification', 'EntityTemporarilyUnmodifiable']);
export const ACCOUNT_ID = /^\d{12}$/;
const VIRTUAL_MFA_SERIAL = /^arn:[\w-]+:iam::\d{12}:mfa\//;

/** Virtual MFA devices have ARN serials under `:mfa/`; hardware tokens have plain serials and FIDO keys `:u2f/` ARNs. */
export const isVirtualMfaSerial = (serial: string): boolean => VIRTUAL_MFA_SERIAL.test(serial);

/** The account id inside an IAM ARN (`arn:aws:iam::123456789012:user/alice`), if it has one. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const id = arn?.split(':')[4];
  return id !== undefined && ACCOUNT_ID.test(id) ? id : undefined;
}

export const isCode = (err: unknown, code: string): boolean => err instanceof IamCallError && err.code === code;
export const isNoSuchEntity = (err: unknown): boolean => isCode(err, 'NoSuchEntity');

export const marker = (m: string | undefined): { Marker?: string } => (m !== undefined ? { Marker: m } : {});

export const toStatus = (status: string | undefined): CredentialStatus => (status === 'Active' ? 'Active' : 'Inactive');

export const toPolicies = (list: readonly SdkAttachedPolicy[] | undefined): AttachedPolicy[] =>
  (list ?? []).map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));

export const toTags = (tags: readonly Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export const decodePolicyDocument = (doc: string): string => {
  try {
    return JSON.stringify(JSON.parse(decodeURIComponent(doc)));
  } catch {
    return doc;
  }
};

/** Inline policy documents by name, as IAM returned them (URL-encoded JSON, decoded when it parses). */
export const inlineDocuments = (list: readonly { PolicyName?: string | undefined; PolicyDocument?: string | undefined }[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).flatMap((p) => (p.PolicyName !== undefined && p.PolicyDocument !== undefined ? [[p.PolicyName, decodePolicyDocument(p.PolicyDocument)]] : [])));

export interface Page {
  readonly IsTruncated?: boolean | undefined;
  readonly Marker?: string | undefined;
}

/**
 * One account's IAM client with the rules every call follows: conflicts IAM asks us to retry are retried, pages are
 * followed until a page says it is the last (a repeated Marker is an error), everything thrown is an IamCallError.
 */
export class IamSession {
  constructor(
    readonly client: IAMClient,
    readonly tuning: IamDirectoryTuning,
    readonly clock: Clock,
    readonly sleep: (ms: number) => Promise<void>,
    readonly log: IamDirectoryLog,
    /** The account as logs name it (known, or "the account of the current credentials"). */
    private readonly label: () => string,
  ) {}

  get accountLabel(): string {
    return this.label();
  }

  /** One IAM call; conflicts IAM asks us to retry are retried here, everything thrown comes out as an IamCallError. */
  async call<T>(api: string, send: () => Promise<T>): Promise<T> {
    const { conflictAttempts, conflictBaseMs, conflictCapMs } = this.tuning;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (raw) {
        const err = raw instanceof IamCallError ? raw : new IamCallError(api, raw);
        if (!CONFLICT_CODES.has(err.code) || attempt >= conflictAttempts) throw err;
        const delay = jitteredBackoff(attempt, conflictBaseMs, conflictCapMs);
        this.log.debug?.('IAM conflict, retrying', { api, code: err.code, attempt, delayMs: delay });
        await this.sleep(delay);
      }
    }
  }

  async eachPage<P extends Page>(api: string, fetch: (m: string | undefined) => Promise<P>, onPage: (page: P) => void): Promise<void> {
    let next: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.call(api, () => fetch(next));
      onPage(page);
      if (page.IsTruncated !== true) return;
      if (page.Marker === undefined || seen.has(page.Marker)) {
        throw new IamCallError(api, new Error('truncated page without a new Marker'));
      }
      seen.add(page.Marker);
      next = page.Marker;
    }
  }

  async collect<P extends Page, T>(api: string, fetch: (m: string | undefined) => Promise<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
    const all: T[] = [];
    await this.eachPage(api, fetch, (page) => all.push(...(items(page) ?? [])));
    return all;
  }
}
