import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseOpenSshKey } from './ssh';
import { errorText } from '../errors';

const date = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const parsed = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not an ISO 8601 date: ${String(value)}` });
    return z.NEVER;
  }
  return parsed;
});

/** A policy document as YAML/JSON object or as JSON text; always stored as JSON text. */
const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((value, ctx) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'policy document is not valid JSON' });
    return z.NEVER;
  }
  return text;
});

const name = (what: string) => z.string().regex(/^[\w+=,.@-]{1,128}$/, `${what} must be 1-128 of letters, digits and +=,.@_-`);
const path = z.string().regex(/^\/(?:[\x21-\x7e]*\/)?$/, 'path must start and end with /').default('/');
const status = z.enum(['Active', 'Inactive']).default('Active');
const policyArn = z.string().regex(/^arn:aws[\w-]*:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/, 'not an IAM policy ARN');

const accessKeySchema = z.object({
  id: z.string().regex(/^\w{16,128}$/, 'access key id must be 16-128 word characters').optional(),
  status,
  createdAt: date.optional(),
  lastUsedAt: date.optional(),
  lastUsedService: z.string().optional(),
  lastUsedRegion: z.string().optional(),
});

const sshKeySchema = z.object({
  id: z.string().regex(/^\w{20,128}$/, 'SSH key id must be 20-128 word characters').optional(),
  body: z.string().refine((line) => parseOpenSshKey(line) !== undefined, 'not an OpenSSH public key line').optional(),
  status,
  uploadedAt: date.optional(),
});

const mfaDeviceSchema = z.object({
  serialNumber: z.string().min(9).optional(),
  virtual: z.boolean().default(true),
  enabledAt: date.optional(),
});

const signingCertificateSchema = z.object({
  id: z.string().regex(/^\w{24,128}$/, 'certificate id must be 24-128 word characters').optional(),
  status,
  uploadedAt: date.optional(),
});

const serviceCredentialSchema = z.object({
  id: z.string().regex(/^\w{20,128}$/, 'service credential id must be 20-128 word characters').optional(),
  serviceName: z.string().default('codecommit.amazonaws.com'),
  status,
  createdAt: date.optional(),
});

const userSchema = z.object({
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'userName must be 1-64 of letters, digits and +=,.@_-'),
  userId: z.string().optional(),
  path,
  createdAt: date.optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  groups: z.array(name('group name')).default([]),
  attachedPolicies: z.array(policyArn).default([]),
  inlinePolicies: z.record(name('policy name'), policyDocument).default({}),
  loginProfile: z
    .object({ createdAt: date.optional(), passwordLastUsed: date.optional(), passwordResetRequired: z.boolean().default(false) })
    .nullable()
    .optional(),
  accessKeys: z.array(accessKeySchema).max(2, 'IAM allows at most 2 access keys per user').default([]),
  sshPublicKeys: z.array(sshKeySchema).max(5, 'IAM allows at most 5 SSH public keys per user').default([]),
  mfaDevices: z.array(mfaDeviceSchema).max(8, 'IAM allows at most 8 MFA devices per user').default([]),
  signingCertificates: z.array(signingCertificateSchema).max(2, 'IAM allows at most 2 signing certificates per user').default([]),
  serviceSpecificCredentials: z.array(serviceCredentialSchema).default([]),
});

const groupSchema = z.object({
  name: name('group name'),
  path,
  createdAt: date.optional(),
  attachedPolicies: z.array(policyArn).default([]),
  inlinePolicies: z.record(name('policy name'), policyDocument).default({}),
});

const roleSchema = z.object({
  roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'roleName must be 1-64 of letters, digits and +=,.@_-'),
  path,
  createdAt: date.optional(),
  /** Seconds, 1 to 12 hours as IAM allows (default one hour). */
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
  /** The trust (assume-role) policy document. */
  trustPolicy: policyDocument,
  inlinePolicies: z.record(name('policy name'), policyDocument).default({}),
});
/** A password-policy flag IAM leaves off unless set. */
const off = z.boolean().default(false);

const accountSchema = z.object({
  id: z.string().regex(/^\d{12}$/, 'account id must be 12 digits'),
  name: z.string().optional(),
  createdAt: date.optional(),
  /** Access key ids that authenticate as this account (as its root principal). */
  accessKeyIds: z.array(z.string().min(1)).default([]),
  root: z
    .object({
      mfaActive: z.boolean().default(true),
      passwordLastUsed: date.optional(),
      /** Root access keys (the credential report's two slots); none by default, as AWS recommends. */
      accessKeys: z.array(z.object({ active: z.boolean().default(true), createdAt: date.optional(), lastUsedAt: date.optional() })).max(2).default([]),
    })
    .default({ mfaActive: true, accessKeys: [] }),
  /** The account password policy (GetAccountPasswordPolicy); absent or null: none is set. */
  passwordPolicy: z
    .object({
      minimumLength: z.number().int().min(6).max(128).default(8),
      requireSymbols: off, requireNumbers: off, requireUppercase: off, requireLowercase: off,
      reusePrevention: z.number().int().min(1).max(24).optional(),
      maxAgeDays: z.number().int().min(1).max(1095).optional(),
    })
    .nullable()
    .default(null),
  groups: z.array(groupSchema).default([]),
  users: z.array(userSchema).default([]),
  /** Customer managed policies of the account with their documents (policies only attached in the seed exist too, with a placeholder document). */
  policies: z.array(z.object({ arn: policyArn, document: policyDocument })).default([]),
  /** IAM roles with their trust policies (src/sandbox/iam-roles.ts). */
  roles: z.array(roleSchema).default([]),
});

/** The whole sandbox seed: several accounts with their IAM users and groups. */
export const sandboxSeedSchema = z
  .object({ accounts: z.array(accountSchema).min(1, 'at least one account is required') })
  .superRefine((seed, ctx) => {
    const accountIds = new Set<string>();
    const keyIds = new Map<string, string>();
    const claimKey = (id: string, where: (string | number)[]) => {
      const owner = keyIds.get(id);
      if (owner !== undefined) ctx.addIssue({ code: 'custom', path: where, message: `access key id ${id} is already used by ${owner}` });
      else keyIds.set(id, where.join('.'));
    };
    seed.accounts.forEach((account, a) => {
      if (accountIds.has(account.id)) ctx.addIssue({ code: 'custom', path: ['accounts', a, 'id'], message: `duplicate account ${account.id}` });
      accountIds.add(account.id);
      account.accessKeyIds.forEach((id, k) => claimKey(id, ['accounts', a, 'accessKeyIds', k]));
      const userNames = new Set<string>();
      account.users.forEach((user, u) => {
        const lower = user.userName.toLowerCase();
        if (userNames.has(lower)) ctx.addIssue({ code: 'custom', path: ['accounts', a, 'users', u, 'userName'], message: `duplicate user ${user.userName} (IAM names are case-insensitive)` });
        userNames.add(lower);
        user.accessKeys.forEach((key, k) => {
          if (key.id !== undefined) claimKey(key.id, ['accounts', a, 'users', u, 'accessKeys', k, 'id']);
        });
      });
      const groupNames = new Set<string>();
      account.groups.forEach((group, g) => {
        const lower = group.name.toLowerCase();
        if (groupNames.has(lower)) ctx.addIssue({ code: 'custom', path: ['accounts', a, 'groups', g, 'name'], message: `duplicate group ${group.name}` });
        groupNames.add(lower);
      });
    });
  });

/** A seed as authors write it (YAML or code): most fields optional. */
export type SandboxSeed = z.input<typeof sandboxSeedSchema>;
/** One account of a seed, as authors write it. */
export type SeedAccount = z.input<typeof accountSchema>;
/** One IAM user of a seed, as authors write it (see `createDummyUser` in the tests). */
export type SeedUser = z.input<typeof userSchema>;
/** One IAM group of a seed, as authors write it. */
export type SeedGroup = z.input<typeof groupSchema>;
/** One access key of a seed user, as authors write it. */
export type SeedAccessKey = z.input<typeof accessKeySchema>;

/** One IAM role of a seed, as authors write it. */
export type SeedRole = z.input<typeof roleSchema>;
/** A validated role with defaults filled in. */
export type NormalizedRole = z.output<typeof roleSchema>;

/** A validated seed with defaults filled in. */
export type NormalizedSeed = z.output<typeof sandboxSeedSchema>;
/** A validated account with defaults filled in. */
export type NormalizedAccount = z.output<typeof accountSchema>;
/** A validated user with defaults filled in. */
export type NormalizedUser = z.output<typeof userSchema>;
/** A validated group with defaults filled in. */
export type NormalizedGroup = z.output<typeof groupSchema>;

/** A validated seed, or every problem found, each naming its key. */
export type SeedParseResult =
  | { readonly ok: true; readonly seed: NormalizedSeed }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Validates a seed object; errors name the key, e.g. `accounts.0.users.2.userName: …`. */
export function parseSeed(value: unknown, source = 'seed'): SeedParseResult {
  const result = sandboxSeedSchema.safeParse(value);
  if (result.success) return { ok: true, seed: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => `${source}: ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}

/** Validates a single user the way a seed would (for programmatic `addUser`). */
export function parseSeedUser(value: SeedUser): NormalizedUser {
  return userSchema.parse(value);
}

/** Reads and validates a YAML (or JSON) seed file. */
export async function loadSeedFile(file: string): Promise<SeedParseResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${file}: cannot read: ${errorText(error)}`] };
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    return { ok: false, errors: [`${file}: invalid YAML: ${errorText(error)}`] };
  }
  return parseSeed(value, file);
}

/**
 * Warden's managed deny-all policy as serverless.yml and deploy/member-account-role.yaml create it in a real account,
 * for seeds (`policies: [wardenDenyAllPolicy(id)]`): Warden attaches it to stop a leaver and may attach nothing else.
 */
export function wardenDenyAllPolicy(accountId: string, name = 'warden-deny-all'): { readonly arn: string; readonly document: string } {
  return {
    arn: `arn:aws:iam::${accountId}:policy/${name}`,
    document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'WardenOffboardingDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] }),
  };
}
