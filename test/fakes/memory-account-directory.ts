import type { AccountInventory, IamGroup, IamUser, IamUserDetail } from '../../src/domain/inventory';
import type { Action } from '../../src/domain/plan';
import type { AccountDirectory, ActionOutcome } from '../../src/ports';

export interface MemoryUser {
  readonly userName: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly detail: IamUserDetail;
  /** Inline policy documents by name, as the bulk inventory returns them. */
  readonly inlinePolicyDocuments?: Readonly<Record<string, unknown>>;
}

/**
 * An AccountDirectory over plain objects: inventory, describe and execute change the same state, so plans, applies
 * and verification behave as they do against IAM. `failNext` makes the next actions of a kind fail once each.
 */
export class MemoryAccountDirectory implements AccountDirectory {
  readonly executed: Action[] = [];
  private readonly users = new Map<string, MemoryUser>();
  private readonly failures = new Map<string, number>();

  constructor(
    readonly account: string,
    users: readonly MemoryUser[],
    private readonly groups: readonly IamGroup[] = [],
    /** Customer-managed policy documents by ARN. */
    private readonly managedPolicyDocuments?: Readonly<Record<string, unknown>>,
  ) {
    for (const user of users) this.users.set(user.userName, user);
  }

  /** Adds or replaces a user, as someone outside Warden would. */
  put(user: MemoryUser): void {
    this.users.set(user.userName, user);
  }

  detailOf(userName: string): IamUserDetail | undefined {
    return this.users.get(userName)?.detail;
  }

  failNext(kind: Action['kind'], times = 1): void {
    this.failures.set(kind, times);
  }

  async inventory(): Promise<AccountInventory> {
    return {
      account: this.account,
      users: [...this.users.values()].map((u): IamUser => ({
        account: this.account,
        userName: u.userName,
        userId: `AIDA${u.userName.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
        arn: `arn:aws:iam::${this.account}:user/${u.userName}`,
        path: '/',
        createdAt: new Date('2025-01-01T00:00:00Z'),
        tags: u.tags ?? {},
        groups: u.detail.groups,
        attachedPolicies: u.detail.attachedPolicies,
        inlinePolicies: u.detail.inlinePolicies,
        ...(u.inlinePolicyDocuments !== undefined ? { inlinePolicyDocuments: u.inlinePolicyDocuments } : {}),
        ...(u.inlinePolicyDocuments === undefined && u.detail.inlinePolicyDocuments !== undefined ? { inlinePolicyDocuments: u.detail.inlinePolicyDocuments } : {}),
      })),
      groups: this.groups,
      credentialReportAt: null,
      ...(this.managedPolicyDocuments !== undefined ? { managedPolicyDocuments: this.managedPolicyDocuments } : {}),
    };
  }

  async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
    const out = new Map<string, IamUserDetail>();
    for (const name of userNames) {
      const user = this.users.get(name);
      if (user !== undefined) out.set(name, user.detail);
    }
    return out;
  }

  async execute(action: Action): Promise<ActionOutcome> {
    const left = this.failures.get(action.kind) ?? 0;
    if (left > 0) {
      this.failures.set(action.kind, left - 1);
      return { result: 'failed', error: `Throttling: Rate exceeded (${action.kind})`, retryable: true };
    }
    const user = this.users.get(action.userName);
    if (user === undefined) return { result: 'ok' };
    this.executed.push(action);
    const d = user.detail;
    let detail: IamUserDetail = d;
    switch (action.kind) {
      case 'deactivate-access-key':
        detail = { ...d, accessKeys: d.accessKeys.map((k) => (k.id === action.target.accessKeyId ? { ...k, status: 'Inactive' as const } : k)) };
        break;
      case 'delete-login-profile':
        detail = { ...d, loginProfile: null };
        break;
      case 'deactivate-ssh-key':
        detail = { ...d, sshPublicKeys: d.sshPublicKeys.map((k) => (k.id === action.target.sshPublicKeyId ? { ...k, status: 'Inactive' as const } : k)) };
        break;
      case 'attach-deny-all':
        detail = d.attachedPolicies.some((p) => p.arn === action.target.policyArn)
          ? d
          : { ...d, attachedPolicies: [...d.attachedPolicies, { name: action.target.policyName, arn: action.target.policyArn }] };
        break;
      case 'remove-from-group':
        detail = { ...d, groups: d.groups.filter((g) => g !== action.target.groupName) };
        break;
      case 'detach-user-policy':
        detail = { ...d, attachedPolicies: d.attachedPolicies.filter((p) => p.arn !== action.target.policyArn) };
        break;
      case 'delete-user-policy':
        detail = { ...d, inlinePolicies: d.inlinePolicies.filter((p) => p !== action.target.policyName) };
        break;
      case 'delete-user':
        this.users.delete(action.userName);
        return { result: 'ok' };
      default:
        return { result: 'skipped', note: `${action.kind} is not modelled by the memory directory` };
    }
    this.users.set(action.userName, { ...user, detail });
    return { result: 'ok', before: action.target };
  }
}

/** Live state with one active access key, a console password and group membership: a typical leaver. */
export function leaverDetail(keyId: string, overrides: Partial<IamUserDetail> = {}): IamUserDetail {
  return {
    accessKeys: [{ id: keyId, status: 'Active', createdAt: new Date('2025-06-01T00:00:00Z') }],
    loginProfile: { createdAt: new Date('2025-06-01T00:00:00Z') },
    sshPublicKeys: [],
    mfaDevices: [],
    signingCertificates: [],
    serviceSpecificCredentials: [],
    groups: ['developers'],
    attachedPolicies: [],
    inlinePolicies: [],
    ...overrides,
  };
}
