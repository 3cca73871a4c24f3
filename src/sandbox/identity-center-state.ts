import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A user as the sandbox's identity store holds it (the shape `identitystore:DescribeUser` returns). */
export interface IcSandboxUser {
  readonly userId: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly emails: readonly { readonly value: string; readonly primary?: boolean }[];
  readonly externalIds: readonly { readonly issuer: string; readonly id: string }[];
}

export interface IcSandboxGroup {
  readonly groupId: string;
  readonly displayName: string;
}

export interface IcSandboxMembership {
  readonly membershipId: string;
  readonly groupId: string;
  readonly userId: string;
}

export interface IcSandboxPermissionSet {
  readonly arn: string;
  readonly name: string;
  /** ISO 8601 duration, `PT1H` to `PT12H` (AWS's bounds). */
  sessionDuration: string;
  inlinePolicy: string | null;
  /** AWS managed policy ARNs attached to it (ListManagedPoliciesInPermissionSet). */
  readonly managedPolicies: string[];
  /** Bumped on every change to the permission set; an account is up to date when it has this version. */
  version: number;
  /** The version each account it is provisioned to runs, and the inline policy it runs with. */
  readonly provisioned: Map<string, { version: number; inlinePolicy: string | null }>;
}

export type IcPrincipalType = 'USER' | 'GROUP';

export interface IcSandboxAssignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: IcPrincipalType;
  readonly principalId: string;
}

/** An asynchronous request (assignment deletion, permission set provisioning) and the describe calls left before it ends. */
export interface IcAsyncRequest {
  readonly requestId: string;
  readonly kind: 'deletion' | 'provisioning';
  readonly createdAt: Date;
  pendingDescribes: number;
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  failureReason?: string;
  readonly detail: Readonly<Record<string, string>>;
  readonly complete: () => void;
}

/** A seed in plain terms: users and groups by name, assignments by permission set name and user or group name. */
export interface IdentityCenterSeed {
  readonly instanceId?: string;
  readonly identityStoreId?: string;
  /** Where the instance lives; calls signed for another region do not find it (as in AWS). */
  readonly region?: string;
  readonly users: readonly {
    readonly userName: string;
    readonly displayName?: string;
    readonly emails?: readonly string[];
    readonly externalIds?: readonly { readonly issuer: string; readonly id: string }[];
  }[];
  readonly groups: readonly { readonly displayName: string; readonly members: readonly string[] }[];
  readonly permissionSets: readonly { readonly name: string; readonly sessionDuration?: string; readonly inlinePolicy?: string; readonly managedPolicies?: readonly string[] }[];
  readonly assignments: readonly {
    readonly permissionSet: string;
    readonly accountId: string;
    readonly user?: string;
    readonly group?: string;
  }[];
}

/** AWS's limit on a permission set's inline policy, in characters. */
export const IC_INLINE_POLICY_MAX_CHARS = 32_768;

const hex = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A UUID-shaped id derived from its parts, so seeds give the same ids every time. */
const uuidOf = (...parts: readonly string[]): string => {
  const h = hex(parts.join('\u0000'), 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/**
 * IAM Identity Center's state: one instance with its identity store (users, groups, memberships), permission sets with
 * inline policies and per-account provisioning, and account assignments. Deleting an assignment and provisioning a
 * permission set are asynchronous as in AWS: they finish after `asyncDescribes` status calls.
 */
export class IdentityCenterSandboxState {
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly region: string | undefined;
  readonly users = new Map<string, IcSandboxUser>();
  readonly groups = new Map<string, IcSandboxGroup>();
  readonly memberships = new Map<string, IcSandboxMembership>();
  readonly permissionSets = new Map<string, IcSandboxPermissionSet>();
  readonly assignments: IcSandboxAssignment[] = [];
  readonly requests = new Map<string, IcAsyncRequest>();
  /** How many status calls an asynchronous request answers IN_PROGRESS before it completes. */
  asyncDescribes = 1;
  /**
   * The management (or delegated administrator) account the instance belongs to: when set, callers from any other
   * account are refused, as AWS does, so a Warden elsewhere must assume a role there (`identityCenter.roleArn`).
   */
  homeAccount: string | undefined;
  private sequence = 0;

  constructor(options: { readonly instanceId?: string; readonly identityStoreId?: string; readonly region?: string } = {}) {
    this.instanceArn = `arn:aws:sso:::instance/${options.instanceId ?? 'ssoins-7223c0ffee5a4b3c'}`;
    this.identityStoreId = options.identityStoreId ?? 'd-9067c0ffee';
    this.region = options.region;
  }

  static fromSeed(seed: IdentityCenterSeed): IdentityCenterSandboxState {
    const state = new IdentityCenterSandboxState(seed);
    for (const user of seed.users) {
      state.addUser({
        userName: user.userName,
        ...(user.displayName !== undefined ? { displayName: user.displayName } : {}),
        emails: (user.emails ?? []).map((value, i) => ({ value, primary: i === 0 })),
        externalIds: user.externalIds ?? [],
      });
    }
    const userId = (name: string): string => {
      const found = state.userByName(name);
      if (found === undefined) throw new Error(`Identity Center seed: no user ${name}`);
      return found.userId;
    };
    for (const group of seed.groups) {
      const created = state.addGroup(group.displayName);
      for (const member of group.members) state.addMembership(created.groupId, userId(member));
    }
    for (const ps of seed.permissionSets) state.addPermissionSet(ps.name, ps.sessionDuration ?? 'PT1H', ps.inlinePolicy ?? null).managedPolicies.push(...(ps.managedPolicies ?? []));
    for (const a of seed.assignments) {
      const ps = [...state.permissionSets.values()].find((p) => p.name === a.permissionSet);
      if (ps === undefined) throw new Error(`Identity Center seed: no permission set ${a.permissionSet}`);
      const group = a.group !== undefined ? [...state.groups.values()].find((g) => g.displayName === a.group) : undefined;
      if (a.group !== undefined && group === undefined) throw new Error(`Identity Center seed: no group ${a.group}`);
      const principal: { type: IcPrincipalType; id: string } =
        group !== undefined ? { type: 'GROUP', id: group.groupId } : { type: 'USER', id: userId(a.user ?? '') };
      state.assign(a.accountId, ps.arn, principal.type, principal.id);
    }
    return state;
  }

  addUser(user: Omit<IcSandboxUser, 'userId'>): IcSandboxUser {
    const created: IcSandboxUser = { ...user, userId: `${hex(this.identityStoreId, 10)}-${uuidOf(this.identityStoreId, 'user', user.userName)}` };
    this.users.set(created.userId, created);
    return created;
  }

  addGroup(displayName: string): IcSandboxGroup {
    const created: IcSandboxGroup = { groupId: `${hex(this.identityStoreId, 10)}-${uuidOf(this.identityStoreId, 'group', displayName)}`, displayName };
    this.groups.set(created.groupId, created);
    return created;
  }

  addMembership(groupId: string, userId: string): IcSandboxMembership {
    const created: IcSandboxMembership = { membershipId: `${hex(this.identityStoreId, 10)}-${uuidOf(this.identityStoreId, 'member', groupId, userId)}`, groupId, userId };
    this.memberships.set(created.membershipId, created);
    return created;
  }

  addPermissionSet(name: string, sessionDuration: string, inlinePolicy: string | null): IcSandboxPermissionSet {
    const instance = this.instanceArn.slice(this.instanceArn.lastIndexOf('/') + 1);
    const created: IcSandboxPermissionSet = {
      arn: `arn:aws:sso:::permissionSet/${instance}/ps-${hex(`${this.instanceArn}/${name}`, 16)}`,
      name,
      sessionDuration,
      inlinePolicy,
      managedPolicies: [],
      version: 1,
      provisioned: new Map(),
    };
    this.permissionSets.set(created.arn, created);
    return created;
  }

  /** Assigns (and, as AWS does, provisions the permission set to the account). */
  assign(accountId: string, permissionSetArn: string, principalType: IcPrincipalType, principalId: string): void {
    if (!this.assignments.some((a) => a.accountId === accountId && a.permissionSetArn === permissionSetArn && a.principalId === principalId)) {
      this.assignments.push({ accountId, permissionSetArn, principalType, principalId });
    }
    const ps = this.permissionSets.get(permissionSetArn);
    if (ps !== undefined) ps.provisioned.set(accountId, { version: ps.version, inlinePolicy: ps.inlinePolicy });
  }

  userByName(userName: string): IcSandboxUser | undefined {
    for (const user of this.users.values()) if (user.userName === userName) return user;
    return undefined;
  }

  permissionSetByName(name: string): IcSandboxPermissionSet | undefined {
    for (const ps of this.permissionSets.values()) if (ps.name === name) return ps;
    return undefined;
  }

  /** The inline policy an account runs for a permission set: what a session there is actually held to. */
  effectivePolicy(permissionSetArn: string, accountId: string): string | null | undefined {
    return this.permissionSets.get(permissionSetArn)?.provisioned.get(accountId)?.inlinePolicy;
  }

  /** Starts an asynchronous request; `complete` runs when a status call finds it done. */
  startRequest(kind: IcAsyncRequest['kind'], detail: Readonly<Record<string, string>>, complete: () => void, now: Date): IcAsyncRequest {
    this.sequence += 1;
    const request: IcAsyncRequest = {
      requestId: uuidOf(this.instanceArn, kind, String(this.sequence)),
      kind,
      createdAt: now,
      pendingDescribes: this.asyncDescribes,
      status: 'IN_PROGRESS',
      detail,
      complete,
    };
    if (request.pendingDescribes <= 0) this.finish(request);
    this.requests.set(request.requestId, request);
    return request;
  }

  /** One status call on a request: counts down, then completes it. */
  describe(request: IcAsyncRequest): IcAsyncRequest {
    if (request.status === 'IN_PROGRESS') {
      request.pendingDescribes -= 1;
      if (request.pendingDescribes < 0) this.finish(request);
    }
    return request;
  }

  private finish(request: IcAsyncRequest): void {
    request.complete();
    request.status = 'SUCCEEDED';
  }
}

/** The seed file's schema (config/demo/identity-center.yaml); inline policies as JSON text or as a YAML object. */
export const identityCenterSeedSchema = z.strictObject({
  instanceId: z.string().regex(/^ssoins-[a-zA-Z0-9-.]{16}$/).optional(),
  identityStoreId: z.string().regex(/^d-[0-9a-f]{10}$/).optional(),
  region: z.string().optional(),
  users: z.array(
    z.strictObject({
      userName: z.string().min(1),
      displayName: z.string().optional(),
      emails: z.array(z.string()).optional(),
      externalIds: z.array(z.strictObject({ issuer: z.string(), id: z.string() })).optional(),
    }),
  ),
  groups: z.array(z.strictObject({ displayName: z.string().min(1), members: z.array(z.string()).default([]) })).default([]),
  permissionSets: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        sessionDuration: z.string().regex(/^PT\d+[HM]$/).optional(),
        inlinePolicy: z.union([z.string(), z.record(z.string(), z.unknown())]).transform((p) => (typeof p === 'string' ? p : JSON.stringify(p))).optional(),
        managedPolicies: z.array(z.string().regex(/^arn:aws[\w-]*:iam::aws:policy\/[\w+=,.@/-]+$/)).optional(),
      }),
    )
    .default([]),
  assignments: z
    .array(z.strictObject({ permissionSet: z.string(), accountId: z.string().regex(/^\d{12}$/), user: z.string().optional(), group: z.string().optional() }))
    .default([]),
});

/** Parses a seed (as read from YAML); errors name the key. */
export function parseIdentityCenterSeed(value: unknown): { ok: true; seed: IdentityCenterSeed } | { ok: false; errors: string[] } {
  const parsed = identityCenterSeedSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  return { ok: true, seed: parsed.data as IdentityCenterSeed };
}
