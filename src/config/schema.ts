import { z } from 'zod';
import { DEFAULT_HOST_MIN_UID, DEFAULT_SHARED_HOST_ACCOUNTS } from '../domain/policy';
import { isValidTimeZone } from '../domain/time';
import { parseCron, reviewCron } from '../domain/reviews/cron';

// Every schema here parses once per process (config, environment, one event): zod's JIT would compile code for a
// single use, which costs a Lambda cold start more than it saves (bench/RESULTS.md, "Lambda cold start").
z.config({ jitless: true });

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const timeZone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as UTC or Europe/Berlin' });

const roleGrant = z.strictObject({
  groups: z.array(z.string().min(1)).default([]),
  managedPolicies: z.array(z.string().min(1)).default([]),
  /** What the role may hold in IAM Identity Center; a role without it is not managed there (nothing removed). */
  identityCenter: z
    .strictObject({
      groups: z.array(z.string().min(1)).default([]),
      permissionSets: z.array(z.strictObject({ name: z.string().min(1), accounts: z.array(accountId).default([]) })).default([]),
    })
    .optional(),
});

/** IAM Identity Center (SPEC "Round 2 additions"): the instance, its identity store, its region, where users come from. */
const identityCenter = z.strictObject({
  instanceArn: z.string().regex(/^arn:aws[\w-]*:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/, 'must be an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-…)'),
  identityStoreId: z.string().regex(/^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an identity store id (d-…)'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').optional(),
  source: z.enum(['internal', 'external']).default('internal'),
  /** A role in the management / delegated-admin account Warden assumes for every Identity Center read and write. */
  roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN (arn:aws:iam::123456789012:role/…)').optional(),
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-').optional(),
}).refine((ic) => ic.externalId === undefined || ic.roleArn !== undefined, { message: 'is only used with identityCenter.roleArn', path: ['externalId'] });

const slackPrincipals = z.strictObject({
  userGroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id (S…)')).default([]),
  users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id (U… or W…)')).default([]),
});

/** One place the audit chain head is anchored after each run, outside the audit store (config `audit.anchors`). */
const anchorSpec = z.discriminatedUnion('kind', [
  /** A file (relative to the config file); the default beside a SQLite audit log. */
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
  /** An SSM Parameter Store String parameter. */
  z.strictObject({
    kind: z.literal('ssm'),
    name: z.string().regex(/^\/?[A-Za-z0-9_.\-/]{1,1011}$/, 'must be an SSM parameter name such as /warden/audit-head'),
  }),
  /** An S3 bucket with Object Lock: one write-once, compliance-locked object per anchor (the Lambda deployment's). */
  z.strictObject({
    kind: z.literal('s3'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    prefix: z.string().max(512).default('audit-head/'),
    retentionDays: z.number().int().min(1).default(365),
  }),
  /** A message in the Slack channel (the config's `slack.channel` unless given). */
  z.strictObject({ kind: z.literal('slack'), channel: z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel id (C… or G…)').optional() }),
]);

export type AnchorSpec = z.infer<typeof anchorSpec>;

const auditStore = z.discriminatedUnion('store', [
  z.strictObject({ store: z.literal('sqlite'), path: z.string().min(1).default('.warden/warden.db'), anchors: z.array(anchorSpec).optional() }),
  z.strictObject({
    store: z.literal('dynamodb'),
    table: z.string().min(3),
    stateTable: z.string().min(3).optional(),
    /** Departures marked in Slack (the Lambda deployment's WARDEN_DEPARTURES_TABLE). */
    departuresTable: z.string().min(3).optional(),
    /** Each run's access snapshot (WARDEN_SNAPSHOTS_TABLE). */
    snapshotsTable: z.string().min(3).optional(),
    /** Access review campaigns (WARDEN_REVIEWS_TABLE); default the state table. */
    reviewsTable: z.string().min(3).optional(),
    anchors: z.array(anchorSpec).optional(),
  }),
]);

const account = z.strictObject({
  id: accountId,
  name: z.string().optional(),
  /** Role Warden assumes in this account; absent means the ambient credentials are already in it. */
  roleArn: z.string().startsWith('arn:aws').optional(),
  externalId: z.string().optional(),
});

const hostTarget = z.strictObject({ key: z.string().min(1), values: z.array(z.string().min(1)).min(1) });

const REVIEW_DEFAULTS = { remindAfterDays: 3, escalateAfterDays: 7, dueAfterDays: 14, undecided: 'keep' as const, scope: 'all' };

/** Access review campaigns (`warden review`); `schedule` starts one on its own (`quarterly`, `monthly` or a cron expression). */
const reviewsConfig = z
  .strictObject({
    remindAfterDays: z.number().int().min(1).default(REVIEW_DEFAULTS.remindAfterDays),
    escalateAfterDays: z.number().int().min(1).default(REVIEW_DEFAULTS.escalateAfterDays),
    /** Days from start to the due date when `--due` is not given. */
    dueAfterDays: z.number().int().min(1).default(REVIEW_DEFAULTS.dueAfterDays),
    /** What an item nobody decided becomes at the due date. */
    undecided: z.enum(['keep', 'revoke']).default(REVIEW_DEFAULTS.undecided),
    scope: z.string().regex(/^(all|department:.+|account:\d{12})$/, 'must be all, department:NAME or account:ID').default(REVIEW_DEFAULTS.scope),
    schedule: z
      .string()
      .min(1)
      .refine((v) => !('error' in parseCron(reviewCron(v))), { message: 'must be quarterly, monthly, yearly or a five-field cron expression' })
      .optional(),
  })
  .refine((r) => r.escalateAfterDays >= r.remindAfterDays, { message: 'escalateAfterDays must not come before remindAfterDays', path: ['escalateAfterDays'] })
  .default(REVIEW_DEFAULTS);

/** The whole config file. Every key is documented in config/warden.example.yaml. */
export const configSchema = z.strictObject({
  timezone: timeZone.default('UTC'),
  roster: z.strictObject({ path: z.string().min(1) }),
  accounts: z.array(account).default([]),
  organizations: z
    .strictObject({
      discover: z.boolean().default(false),
      roleName: z.string().default('WardenAccess'),
      externalId: z.string().optional(),
    })
    .optional(),
  roles: z.record(z.string(), roleGrant).default({}),
  identityCenter: identityCenter.optional(),
  breakGlass: z.array(z.string().min(1)).default([]),
  serviceAccounts: z
    .array(z.strictObject({ userName: z.string().min(1), owner: z.email(), account: accountId.optional() }))
    .default([]),
  orphans: z.enum(['report', 'quarantine']).default('report'),
  deleteAfterDays: z.number().int().min(0).default(30),
  identity: z
    .strictObject({ employeeIdTag: z.string().default('employee_id'), emailTag: z.string().default('email') })
    .default({ employeeIdTag: 'employee_id', emailTag: 'email' }),
  hygiene: z
    .strictObject({
      rotationDays: z.number().int().positive().default(90),
      unusedDays: z.number().int().positive().default(45),
      /** Root used within this many days is a finding (security policy: root use kept to a minimum). */
      rootUseDays: z.number().int().positive().default(30),
      /** A console password never used this many days after it was set is a default password nobody changed. */
      defaultPasswordDays: z.number().int().positive().default(7),
    })
    .default({ rotationDays: 90, unusedDays: 45, rootUseDays: 30, defaultPasswordDays: 7 }),
  denyAllPolicyName: z.string().regex(/^[\w+=,.@-]{1,128}$/).default('warden-deny-all'),
  protected: z
    .strictObject({ groups: z.array(z.string().min(1)).default([]), policies: z.array(z.string().min(1)).default([]) })
    .default({ groups: [], policies: [] }),
  guard: z
    .strictObject({
      maxRevocations: z.number().int().min(0).default(50),
      maxHeadcountDropPercent: z.number().min(0).max(100).default(20),
    })
    .default({ maxRevocations: 50, maxHeadcountDropPercent: 20 }),
  hosts: z
    .strictObject({
      targets: z.array(hostTarget).default([]),
      instanceIds: z.array(z.string().regex(/^(i|mi)-[0-9a-f]+$/, 'must be an instance id (i-… or mi-…)')).default([]),
      lockUsers: z.boolean().default(true),
      killSessions: z.boolean().default(true),
      maxConcurrency: z.string().default('10'),
      outputBucket: z.string().optional(),
      /** OS account name -> roster email, for host accounts not named after the person. */
      userMap: z.record(z.string(), z.email()).default({}),
      /** Accounts below this uid are system accounts: never a person's own, never locked or emptied of processes. */
      minUid: z.number().int().min(1).default(DEFAULT_HOST_MIN_UID),
      /** Shared accounts (never a person's own, whatever the roster's aws_usernames say); replaces the default list. */
      sharedAccounts: z.array(z.string().min(1)).default([...DEFAULT_SHARED_HOST_ACCOUNTS]),
    })
    .optional(),
  /**
   * Role sessions. `revokeOlderOnRoles` (issue 14): opt-in AWS "revoke older sessions" on roles without a pinned source
   * identity. `maxHours` (issue 16): roles (and permission sets) whose sessions may live longer are findings.
   */
  sessions: z
    .strictObject({ revokeOlderOnRoles: z.boolean().default(false), maxHours: z.number().positive().max(12).default(4) })
    .default({ revokeOlderOnRoles: false, maxHours: 4 }),
  slaHours: z.number().positive().default(24),
  /** CloudTrail (issue 15): access given back re-revoked, and leavers' calls after revocation (config/warden.example.yaml). */
  trail: z
    .strictObject({
      /** `warden serve` polls LookupEvents every minute (the Lambda stack is event-driven instead). */
      poll: z.boolean().default(true),
      /** Where CloudTrail records IAM's events: us-east-1 (Identity Center's are in its own region). */
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1').default('us-east-1'),
      /** How far each poll looks back for events CloudTrail delivered late. */
      overlapMinutes: z.number().int().min(1).max(60).default(15),
      /** Warden's own principals besides those it finds itself (its STS identity, its member-role sessions): ARNs, `*` suffix for a prefix. */
      wardenPrincipals: z.array(z.string().startsWith('arn:aws')).default([]),
    })
    .optional(),
  audit: auditStore.default({ store: 'sqlite', path: '.warden/warden.db' }),
  schedule: z.string().default('0 * * * *'),
  slack: z
    .strictObject({
      channel: z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel id (C… or G…)'),
      hr: slackPrincipals.default({ userGroups: [], users: [] }),
      auditors: slackPrincipals.default({ userGroups: [], users: [] }),
      secondApproverFor: z.enum(['none', 'admins', 'all']).default('admins'),
    })
    .optional(),
  /** Security policy: access only once the NDA and the policy are signed (roster `policy_accepted_at`, `nda_signed_at`). */
  joiners: z
    .strictObject({ requireAcceptance: z.boolean().default(false), quarantine: z.boolean().default(false) })
    .default({ requireAcceptance: false, quarantine: false }),
  /** Security policy: "none of the staff members is granted full rights"; break-glass users are counted apart. */
  admins: z.strictObject({ max: z.number().int().min(0).default(2) }).default({ max: 2 }),
  /** The account password policy's minimum; `enforce: true` lets `warden apply` set it where it falls short (audited). */
  passwordPolicy: z
    .strictObject({
      minimumLength: z.number().int().min(6).max(128).default(14),
      requireSymbols: z.boolean().default(true),
      requireNumbers: z.boolean().default(true),
      requireUppercase: z.boolean().default(true),
      requireLowercase: z.boolean().default(true),
      reusePrevention: z.number().int().min(0).max(24).default(24),
      maxAgeDays: z.number().int().min(0).max(1095).default(90),
      enforce: z.boolean().default(false),
    })
    .default({ minimumLength: 14, requireSymbols: true, requireNumbers: true, requireUppercase: true, requireLowercase: true, reusePrevention: 24, maxAgeDays: 90, enforce: false }),
  reviews: reviewsConfig,
});

export type WardenConfig = z.infer<typeof configSchema>;
export type ReviewsConfig = WardenConfig['reviews'];
