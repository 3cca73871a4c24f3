import type { GroupDetail, UserDetail } from '@aws-sdk/client-iam';
import type { AccountInventory, CredentialReportRow, IamGroup, IamUser } from '../../../domain/inventory';
import { iamSdk } from '../sdk';
import type { RootAccountState } from '../../../domain/policy-checks/posture';
import { parseCredentialReportWithRoot } from './credential-report';
import { readPosture } from './posture';
import { readRoles } from './role-sessions';
import { describeAwsError, errorText, IamAccountMismatchError, IamAccountUnknownError, IamCallError, IamInventoryError, THROTTLING_CODES } from '../../../errors';
import { accountOfArn, decodePolicyDocument, inlineDocuments, marker, PAGE_SIZE, toPolicies, toTags, type IamSession } from './session';

interface CredentialReport {
  readonly at: Date;
  readonly rows: ReadonlyMap<string, CredentialReportRow>;
  readonly root?: RootAccountState;
}

/**
 * One account's bulk inventory: GetAccountAuthorizationDetails (users, groups, managed policy documents), the
 * assigned virtual MFA devices and the credential report, a bounded number of calls whatever the number of users.
 */
export class IamInventoryReader {
  /** The account id read from the ARNs when none was configured. */
  derivedAccount: string | undefined;

  constructor(
    private readonly s: IamSession,
    private readonly configuredAccount: string | undefined,
  ) {}

  async inventory(): Promise<AccountInventory> {
    // The three reads are independent; the report poll is told to stop if the account cannot be read at all.
    const stop = { requested: false };
    const reportRead = this.readCredentialReport(stop);
    const mfaRead = this.readAssignedVirtualMfaUsers();
    const rolesRead = this.readRolesOrError();
    // The policy checks' posture never fails the inventory: what cannot be read is recorded as unread. Its roles are the
    // ones read above (one ListRoles per account).
    const postureRead = readPosture(this.s, this.configuredAccount ?? 'unknown', rolesRead);
    let details: { users: UserDetail[]; groups: GroupDetail[]; managedPolicyDocuments: Record<string, unknown> };
    try {
      details = await this.readAuthorizationDetails();
    } catch (err) {
      stop.requested = true;
      await Promise.allSettled([reportRead, mfaRead, rolesRead, postureRead]);
      throw err;
    }
    const [virtualMfaUsers, report, roles, posture] = await Promise.all([mfaRead, reportRead, rolesRead, postureRead]);
    const account = this.resolveAccount(details.users, details.groups);
    const users = details.users.map((u) => this.toUser(account, u, report, virtualMfaUsers));
    const groups = details.groups.map(
      (g): IamGroup => ({
        name: g.GroupName ?? '',
        attachedPolicies: toPolicies(g.AttachedManagedPolicies),
        inlinePolicies: (g.GroupPolicyList ?? []).map((p) => p.PolicyName ?? ''),
        inlinePolicyDocuments: inlineDocuments(g.GroupPolicyList),
      }),
    );
    const limits = posture.roles?.map((role) => ({ ...role, account }));
    return {
      account,
      users,
      groups,
      credentialReportAt: report?.at ?? null,
      managedPolicyDocuments: details.managedPolicyDocuments,
      ...roles,
      posture: { ...posture, ...(limits !== undefined ? { roles: limits } : {}), ...(report?.root !== undefined ? { root: report.root } : {}) },
    };
  }

  /** Roles and Warden's policy on them (session plane); a failure is reported with the plan, never stops the account. */
  private async readRolesOrError(): Promise<Pick<AccountInventory, 'roles' | 'rolesError'>> {
    try {
      return { roles: await readRoles(this.s) };
    } catch (err) {
      const why = err instanceof IamCallError ? `${err.api}: ${describeAwsError(err).text}` : errorText(err);
      this.s.log.warn('IAM roles could not be read; leavers\' role sessions are unchecked', { account: this.s.accountLabel, why });
      return { rolesError: why };
    }
  }

  private async readAuthorizationDetails(): Promise<{ users: UserDetail[]; groups: GroupDetail[]; managedPolicyDocuments: Record<string, unknown> }> {
    const users: UserDetail[] = [];
    const groups: GroupDetail[] = [];
    // Managed policies' default versions: what they allow or deny decides, never their names (admin rights, Warden's
    // deny-all, restrictions cleanup must keep). AWS managed policies come only when attached to something.
    const managedPolicyDocuments: Record<string, unknown> = {};
    const api = 'GetAccountAuthorizationDetails';
    try {
      await this.s.eachPage(
        api,
        (m) =>
          this.s.client.send(
            new (iamSdk().GetAccountAuthorizationDetailsCommand)({ Filter: ['User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'], MaxItems: PAGE_SIZE, ...marker(m) }),
          ),
        (page) => {
          users.push(...(page.UserDetailList ?? []));
          groups.push(...(page.GroupDetailList ?? []));
          for (const policy of page.Policies ?? []) {
            const version = (policy.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion === true);
            if (policy.Arn !== undefined && version?.Document !== undefined) managedPolicyDocuments[policy.Arn] = decodePolicyDocument(version.Document);
          }
        },
      );
    } catch (err) {
      throw new IamInventoryError(this.s.accountLabel, api, err);
    }
    return { users, groups, managedPolicyDocuments };
  }

  /** Users holding an assigned virtual MFA device: fresher than the credential report, which may be hours old. */
  private async readAssignedVirtualMfaUsers(): Promise<ReadonlySet<string> | null> {
    const users = new Set<string>();
    try {
      await this.s.eachPage(
        'ListVirtualMFADevices',
        (m) => this.s.client.send(new (iamSdk().ListVirtualMFADevicesCommand)({ AssignmentStatus: 'Assigned', MaxItems: PAGE_SIZE, ...marker(m) })),
        (page) => {
          for (const device of page.VirtualMFADevices ?? []) if (device.User?.UserName !== undefined) users.add(device.User.UserName);
        },
      );
      return users;
    } catch (err) {
      this.s.log.warn('virtual MFA devices could not be listed; MFA status comes from the credential report alone', {
        account: this.s.accountLabel,
        error: describeAwsError(err).text,
      });
      return null;
    }
  }

  /**
   * Fetches the credential report, generating it when IAM holds none or only an expired one; any trouble yields null
   * so offboarding never waits on it. IAM reuses a report for four hours (GenerateCredentialReport answers COMPLETE
   * with the same report), so asking for it first gets the same report one call sooner on every run but the first.
   */
  private async readCredentialReport(stop: { readonly requested: boolean }): Promise<CredentialReport | null> {
    const { reportBudgetMs, reportBaseMs, reportCapMs } = this.s.tuning;
    const started = this.s.clock.now().getTime();
    let waited = 0;
    let attempt = 0;
    let mustGenerate = false;
    let generated = false;
    const giveUp = (why: string): null => {
      this.s.log.warn('credential report unavailable; hygiene findings will be skipped', { account: this.s.accountLabel, why });
      return null;
    };
    // Both the sum of planned waits and the clock bound the loop, so a fake sleep or a slow network cannot stretch it.
    const backOff = async (): Promise<boolean> => {
      if (stop.requested) return false;
      const delay = Math.min(reportCapMs, reportBaseMs * 2 ** attempt);
      attempt += 1;
      if (waited + delay > reportBudgetMs || this.s.clock.now().getTime() - started + delay > reportBudgetMs) return false;
      waited += delay;
      await this.s.sleep(delay);
      return true;
    };
    for (;;) {
      let why: string;
      try {
        if (mustGenerate) {
          const generation = await this.s.call('GenerateCredentialReport', () => this.s.client.send(new (iamSdk().GenerateCredentialReportCommand)({})));
          mustGenerate = false;
          generated = true;
          if (generation.State !== 'COMPLETE') {
            if (await backOff()) continue;
            return giveUp(`report still ${generation.State ?? 'in progress'} after ${waited} ms`);
          }
        }
        const got = await this.s.call('GetCredentialReport', () => this.s.client.send(new (iamSdk().GetCredentialReportCommand)({})));
        if (got.ReportFormat !== undefined && got.ReportFormat !== 'text/csv') return giveUp(`unexpected report format ${got.ReportFormat}`);
        const parsed = parseCredentialReportWithRoot(Buffer.from(got.Content ?? new Uint8Array()).toString('utf8'));
        return { at: got.GeneratedTime ?? this.s.clock.now(), ...parsed };
      } catch (err) {
        if (!(err instanceof IamCallError)) return giveUp(errorText(err));
        why = `${err.api}: ${describeAwsError(err).text}`;
        if (err.code === 'ReportNotPresent' || err.code === 'ReportExpired') {
          mustGenerate = true;
          // No report to wait for: the first time, ask for one at once.
          if (!generated) continue;
        } else if (err.code !== 'ReportInProgress' && !THROTTLING_CODES.has(err.code) && !err.retryable) return giveUp(why);
      }
      if (!(await backOff())) return giveUp(`${why} (gave up after ${waited} ms)`);
    }
  }

  private resolveAccount(users: readonly UserDetail[], groups: readonly GroupDetail[]): string {
    const seen = [...users.map((u) => u.Arn), ...groups.map((g) => g.Arn)].map(accountOfArn).find((a) => a !== undefined);
    if (this.configuredAccount !== undefined) {
      if (seen !== undefined && seen !== this.configuredAccount) throw new IamAccountMismatchError(this.configuredAccount, seen);
      return this.configuredAccount;
    }
    if (seen === undefined) {
      throw new IamAccountUnknownError('IAM account id is unknown: it was not configured and the account has no user or group ARN to read it from');
    }
    this.derivedAccount = seen;
    return seen;
  }

  private toUser(
    account: string,
    u: UserDetail,
    report: CredentialReport | null,
    virtualMfaUsers: ReadonlySet<string> | null,
  ): IamUser {
    if (u.UserName === undefined || u.Arn === undefined) {
      throw new IamInventoryError(account, 'GetAccountAuthorizationDetails', new Error('a user came back without UserName or Arn'));
    }
    let credentials = report?.rows.get(u.UserName);
    if (credentials !== undefined && !credentials.mfaActive && virtualMfaUsers?.has(u.UserName) === true) {
      credentials = { ...credentials, mfaActive: true };
    }
    const passwordLastUsed = credentials?.passwordLastUsed;
    return {
      account,
      userName: u.UserName,
      userId: u.UserId ?? '',
      arn: u.Arn,
      path: u.Path ?? '/',
      createdAt: u.CreateDate ?? new Date(0),
      ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
      tags: toTags(u.Tags),
      groups: [...(u.GroupList ?? [])],
      attachedPolicies: toPolicies(u.AttachedManagedPolicies),
      inlinePolicies: (u.UserPolicyList ?? []).map((p) => p.PolicyName ?? ''),
      inlinePolicyDocuments: inlineDocuments(u.UserPolicyList),
      ...(credentials !== undefined ? { credentials } : {}),
    };
  }
}
