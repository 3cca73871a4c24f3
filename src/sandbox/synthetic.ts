import type { SeedAccount, SeedGroup, SeedUser } from './seed';
import { wardenDenyAllPolicy } from './seed';

/** One roster row for a synthetic person, keyed by the roster CSV's column names. */
export interface SyntheticRosterRow {
  readonly employee_id: string;
  readonly email: string;
  readonly status: 'active' | 'departed';
  readonly role: string;
  readonly full_name: string;
  readonly department: string;
  /** ISO date; set for departed people only (a few days before `now`). */
  readonly end_date: string;
  /** `;`-separated IAM user names, as the roster column expects. */
  readonly aws_usernames: string;
}

/** A seed account plus the HR roster rows that describe its people (extra keys are ignored by the seed schema). */
export type SyntheticAccount = SeedAccount & {
  readonly roster: readonly SyntheticRosterRow[];
  /** IAM user names of the departed people, in order. */
  readonly departedUserNames: readonly string[];
};

/** Size, leaver rate and randomness of a synthetic account. */
export interface SyntheticOptions {
  readonly accountId: string;
  readonly users: number;
  /** Every Nth user (N, 2N, …) has departed; default 100. 0 means nobody. */
  readonly departedEvery?: number;
  /** PRNG seed; the same seed and user count give the same people in every account. Default 1. */
  readonly seed?: number;
  /** Reference time for creation and last-used dates; default 2026-11-01T00:00:00Z. */
  readonly now?: Date;
}

const FIRST = ['ana', 'ben', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kai', 'lena', 'mo', 'nia', 'omar', 'priya', 'quinn', 'rui', 'sara', 'tom', 'uma', 'vik', 'wen', 'yara', 'zoe'];
const LAST = ['adams', 'baker', 'costa', 'diaz', 'evans', 'fischer', 'garcia', 'haddad', 'ito', 'jensen', 'khan', 'lopez', 'moreau', 'nguyen', 'okafor', 'patel', 'rossi', 'silva', 'tanaka', 'weber'];

const ROLES: readonly { readonly role: string; readonly department: string; readonly groups: readonly string[]; readonly weight: number }[] = [
  { role: 'engineer', department: 'Engineering', groups: ['developers'], weight: 50 },
  { role: 'sre', department: 'Engineering', groups: ['developers', 'ops'], weight: 10 },
  { role: 'data-analyst', department: 'Data', groups: ['data'], weight: 15 },
  { role: 'support', department: 'Customer Support', groups: ['support'], weight: 20 },
  { role: 'admin', department: 'IT', groups: ['admins'], weight: 5 },
];

const GROUPS: readonly SeedGroup[] = [
  { name: 'developers', attachedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
  { name: 'ops', attachedPolicies: ['arn:aws:iam::aws:policy/job-function/SystemAdministrator'] },
  { name: 'data', attachedPolicies: ['arn:aws:iam::aws:policy/AmazonAthenaFullAccess', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
  { name: 'support', attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
  { name: 'admins', attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
];

const DAY = 24 * 60 * 60 * 1000;
const SERVICES = ['s3', 'ec2', 'sts', 'lambda', 'dynamodb', 'cloudformation'];
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];

/**
 * A realistic, deterministic account of `users` IAM users with groups, keys, console logins, MFA and SSH keys.
 * Departed people are every `departedEvery`-th user (default 100): user name `leaver-N`, email `leaver-N@example.com`,
 * N being the user's 1-based index; their credentials are still active, so Warden has something to revoke.
 * About 90% of users carry `employee_id` and `email` tags, 5% only `email`, 5% none (their name is the email's local part).
 */
export function syntheticAccount(options: SyntheticOptions): SyntheticAccount {
  const random = mulberry32(options.seed ?? 1);
  const departedEvery = options.departedEvery ?? 100;
  const now = (options.now ?? new Date('2026-11-01T00:00:00Z')).getTime();
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const used = new Set<string>();
  const users: SeedUser[] = [];
  const roster: SyntheticRosterRow[] = [];
  const departedUserNames: string[] = [];

  for (let n = 1; n <= options.users; n++) {
    const departed = departedEvery > 0 && n % departedEvery === 0;
    const first = pick(FIRST);
    const last = pick(LAST);
    let userName = departed ? `leaver-${n}` : `${first}.${last}`;
    if (used.has(userName)) userName = `${first}.${last}${n}`;
    used.add(userName);
    const email = `${userName}@example.com`;
    const employeeId = `E${String(n).padStart(6, '0')}`;
    const role = weighted(ROLES, random());
    const createdAt = now - (30 + Math.floor(random() * 1800)) * DAY;

    const tagRoll = random();
    const tags: Record<string, string> =
      tagRoll < 0.9 ? { employee_id: employeeId, email, department: role.department } : tagRoll < 0.95 ? { email } : {};

    const keyRoll = random();
    const keyCount = keyRoll < 0.15 ? 2 : keyRoll < 0.85 ? 1 : 0;
    const accessKeys = Array.from({ length: keyCount }, (_, k) => {
      const keyCreated = createdAt + Math.floor(random() * (now - createdAt));
      const neverUsed = random() < 0.1;
      const lastUsed = now - Math.floor(random() * 120) * DAY - Math.floor(random() * DAY);
      return {
        status: (k === 1 ? 'Inactive' : 'Active') as 'Active' | 'Inactive',
        createdAt: iso(keyCreated),
        ...(neverUsed || lastUsed < keyCreated ? {} : { lastUsedAt: iso(lastUsed), lastUsedService: pick(SERVICES), lastUsedRegion: pick(REGIONS) }),
      };
    });

    const consoleUser = random() < 0.4;
    const mfa = consoleUser && random() < 0.7;
    const sshKeys = random() < 0.3 ? 1 : 0;

    users.push({
      userName,
      createdAt: iso(createdAt),
      tags,
      groups: [...role.groups],
      accessKeys,
      ...(consoleUser
        ? { loginProfile: { createdAt: iso(createdAt + DAY), ...(random() < 0.9 ? { passwordLastUsed: iso(now - Math.floor(random() * 60 * DAY)) } : {}) } }
        : {}),
      ...(mfa ? { mfaDevices: [{ virtual: true, enabledAt: iso(createdAt + 2 * DAY) }] } : {}),
      ...(sshKeys > 0 ? { sshPublicKeys: [{ status: 'Active' as const, uploadedAt: iso(createdAt + 3 * DAY) }] } : {}),
    });
    roster.push({
      employee_id: employeeId,
      email,
      status: departed ? 'departed' : 'active',
      role: role.role,
      full_name: `${cap(first)} ${cap(last)}`,
      department: role.department,
      end_date: departed ? iso(now - 3 * DAY).slice(0, 10) : '',
      aws_usernames: userName,
    });
    if (departed) departedUserNames.push(userName);
  }

  return {
    id: options.accountId,
    name: `synthetic-${options.accountId}`,
    createdAt: iso(now - 2000 * DAY),
    groups: GROUPS.map((g) => ({ ...g })),
    // Warden's managed deny-all, as its member-account template creates it.
    policies: [wardenDenyAllPolicy(options.accountId)],
    users,
    roster,
    departedUserNames,
  };
}

function weighted<T extends { readonly weight: number }>(items: readonly T[], roll: number): T {
  const total = items.reduce((sum, i) => sum + i.weight, 0);
  let acc = 0;
  for (const item of items) {
    acc += item.weight / total;
    if (roll < acc) return item;
  }
  return items[items.length - 1] as T;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Small, fast, seedable PRNG so synthetic data is identical across runs and machines. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
