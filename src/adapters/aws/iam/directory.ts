import type { IAMClient } from '@aws-sdk/client-iam';
import type { AccountInventory, IamUserDetail } from '../../../domain/inventory';
import { isIamAction, type Action } from '../../../domain/plan';
import type { AccessPolicy } from '../../../domain/policy';
import { systemClock } from '../../../ports';
import type { AccountDirectory, ActionOutcome, Clock } from '../../../ports';
import { Semaphore, sleep as realSleep } from '../../../lib/concurrency';
import { describeAwsError, IamAccountUnknownError, IamCallError, IamDescribeError } from '../../../errors';
import { executeIamAction } from './execute';
import { IamInventoryReader } from './inventory';
import { ACCOUNT_ID, DEFAULT_IAM_TUNING, IamSession, type IamDirectoryLog, type IamDirectoryTuning } from './session';
import { readUserDetail } from './user-detail';
import { readWardenPolicy } from './role-sessions';
import { enforcePasswordPolicy } from './posture';
import type { PasswordRequirement } from '../../../domain/policy-checks/posture';

export { DEFAULT_IAM_TUNING, accountOfArn, isVirtualMfaSerial } from './session';
export type { IamDirectoryLog, IamDirectoryTuning } from './session';

export interface IamAccountDirectoryOptions {
  /** One client per account, built by the composition root (see createIamClient). */
  readonly client: IAMClient;
  /** The 12-digit account id; when absent it is derived from the ARNs the first inventory returns. */
  readonly account?: string;
  /** `identity` is accepted so the whole access policy can be passed; reads return every tag, so it is not needed here. */
  readonly policy: { readonly denyAllPolicyName: string; readonly identity?: AccessPolicy['identity'] };
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: IamDirectoryLog;
  readonly tuning?: Partial<IamDirectoryTuning>;
}

const NO_LOG: IamDirectoryLog = { warn: () => undefined };

/**
 * One AWS account's IAM over the AWS SDK: bulk reads for inventory (inventory.ts), live detail of the users about to
 * change (user-detail.ts), per-key writes for actions (execute.ts, teardown.ts), failures as values.
 */
export class IamAccountDirectory implements AccountDirectory {
  private readonly session: IamSession;
  private readonly reader: IamInventoryReader;
  private readonly denyAllPolicyName: string;
  private readonly configuredAccount: string | undefined;

  constructor(opts: IamAccountDirectoryOptions) {
    if (opts.account !== undefined && !ACCOUNT_ID.test(opts.account)) {
      throw new RangeError(`IAM account id must be 12 digits, got "${opts.account}"`);
    }
    this.denyAllPolicyName = opts.policy.denyAllPolicyName;
    this.configuredAccount = opts.account;
    this.session = new IamSession(
      opts.client,
      { ...DEFAULT_IAM_TUNING, ...opts.tuning },
      opts.clock ?? systemClock,
      opts.sleep ?? realSleep,
      opts.log ?? NO_LOG,
      () => this.knownAccount ?? 'the account of the current credentials',
    );
    this.reader = new IamInventoryReader(this.session, opts.account);
  }

  private get knownAccount(): string | undefined {
    return this.configuredAccount ?? this.reader.derivedAccount;
  }

  /** The account id; throws until it is known (given, or derived by the first inventory). */
  get account(): string {
    const account = this.knownAccount;
    if (account === undefined) {
      throw new IamAccountUnknownError('IAM account id is unknown: pass `account` or run inventory() first so it can be read from the ARNs');
    }
    return account;
  }

  inventory(): Promise<AccountInventory> {
    return this.reader.inventory();
  }

  async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
    const gate = new Semaphore(this.session.tuning.describeConcurrency);
    const unique = [...new Set(userNames)];
    // allSettled: a failure surfaces only once every read has stopped, so nothing keeps calling IAM behind the caller's back.
    const settled = await Promise.allSettled(unique.map((name) => readUserDetail(this.session, name, gate)));
    const result = new Map<string, IamUserDetail>();
    settled.forEach((outcome, i) => {
      const name = unique[i] ?? '';
      if (outcome.status === 'rejected') {
        const err: unknown = outcome.reason;
        throw err instanceof IamCallError ? new IamDescribeError(this.session.accountLabel, name, err.api, err) : err;
      }
      if (outcome.value !== undefined) result.set(name, outcome.value);
    });
    return result;
  }

  async execute(action: Action): Promise<ActionOutcome> {
    if (!isIamAction(action)) {
      return { result: 'skipped', note: `${action.kind} is applied on hosts through SSM, not in IAM` };
    }
    const account = this.knownAccount;
    if (account === undefined) {
      return { result: 'failed', error: 'AccountUnknown: run inventory() or configure the account id before changing IAM', retryable: false };
    }
    if (action.account !== account) {
      return { result: 'failed', error: `AccountMismatch: action is for account ${action.account}, this directory manages ${account}`, retryable: false };
    }
    try {
      return await executeIamAction({ s: this.session, isOwnDenyAll: (arn) => this.isOwnDenyAll(arn) }, action);
    } catch (err) {
      if (!(err instanceof IamCallError)) throw err;
      const info = describeAwsError(err);
      this.session.log.warn('IAM action failed', { account, kind: action.kind, userName: action.userName, api: err.api, error: info.text });
      return { result: 'failed', error: `${info.text} (${err.api})`, retryable: info.retryable };
    }
  }

  async readWardenRolePolicies(roleNames: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const roleName of new Set(roleNames)) {
      // NoSuchEntity (no policy, or no role) reads as null: verification then fails safe for a deny.
      out.set(roleName, await readWardenPolicy(this.session, roleName));
    }
    return out;
  }

  async enforcePasswordPolicy(required: PasswordRequirement): Promise<ActionOutcome> {
    try {
      return await enforcePasswordPolicy(this.session, required);
    } catch (err) {
      if (!(err instanceof IamCallError)) throw err;
      const info = describeAwsError(err);
      this.session.log.warn('password policy could not be set', { account: this.session.accountLabel, api: err.api, error: info.text });
      return { result: 'failed', error: `${info.text} (${err.api})`, retryable: info.retryable };
    }
  }

  /** Whether an attached policy is Warden's own deny-all (in any partition) in this directory's account. */
  private isOwnDenyAll(arn: string): boolean {
    const account = this.knownAccount;
    return account !== undefined && /^arn:[\w-]+:iam::/.test(arn) && arn.endsWith(`:iam::${account}:policy/${this.denyAllPolicyName}`);
  }
}
