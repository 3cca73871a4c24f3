/**
 * Plans for N synthetic people in a fresh process and prints {people, ms, maxRssMb, baselineRssMb}.
 * Run alone so peak RSS is the planner's, not the parent's.
 */
import type { IamUser, Inventory } from '../src/domain/inventory';
import type { AccessPolicy } from '../src/domain/policy';
import type { Person, Roster } from '../src/domain/roster';
import { plan } from '../src/domain/planner';

const people = Number(process.argv[2] ?? '10000');
const ACCOUNT = '123456789012';
const NOW = new Date('2026-11-26T12:00:00Z');
const DAY = 86_400_000;
const ROLES = ['engineer', 'sre', 'analyst', 'support'] as const;
const GROUPS: Record<string, string[]> = { engineer: ['developers'], sre: ['developers', 'ops'], analyst: ['data'], support: ['support'] };

function build(n: number): { roster: Roster; inventory: Inventory } {
  const persons: Person[] = [];
  const users: IamUser[] = [];
  for (let i = 1; i <= n; i++) {
    const departed = i % 100 === 0;
    const role = ROLES[i % ROLES.length] ?? 'engineer';
    const email = `person${i}@example.com`;
    persons.push({
      employeeId: `E${i}`,
      email,
      status: departed ? 'departed' : 'active',
      role,
      awsUsernames: [],
      sshKeys: [],
      ...(departed ? { endAt: new Date(NOW.getTime() - 2 * DAY) } : {}),
      source: { file: 'roster.csv', line: i + 1 },
    });
    // A fairly healthy company: keys created over the last year, nine in ten used this month, most
    // console users with MFA (a population where every user trips every check measures finding
    // allocation, not planning).
    const keyDate = new Date(NOW.getTime() - ((i * 7919) % 365) * DAY);
    const lastUsed = i % 10 === 0 ? undefined : new Date(NOW.getTime() - ((i * 104729) % 30) * DAY);
    users.push({
      account: ACCOUNT,
      userName: `person${i}`,
      userId: `AIDA${i}`,
      arn: `arn:aws:iam::${ACCOUNT}:user/person${i}`,
      path: '/',
      createdAt: new Date(NOW.getTime() - 400 * DAY),
      tags: i % 3 === 0 ? {} : { employee_id: `E${i}` },
      groups: i % 50 === 0 ? [...(GROUPS[role] ?? []), 'admins'] : (GROUPS[role] ?? []),
      attachedPolicies: [],
      inlinePolicies: [],
      credentials: {
        passwordEnabled: i % 2 === 0,
        ...(i % 2 === 0 ? { passwordLastUsed: new Date(NOW.getTime() - (i % 20) * DAY) } : {}),
        mfaActive: i % 20 !== 0,
        accessKeys: [{ slot: 1, active: true, lastRotated: keyDate, ...(lastUsed !== undefined ? { lastUsed } : {}) }],
      },
      ...(departed
        ? {
            detail: {
              accessKeys: [{ id: `AKIA${i}`, status: 'Active' as const, createdAt: keyDate }],
              loginProfile: { createdAt: keyDate },
              sshPublicKeys: [],
              mfaDevices: [],
              signingCertificates: [],
              serviceSpecificCredentials: [],
              groups: GROUPS[role] ?? [],
              attachedPolicies: [],
              inlinePolicies: [],
            },
          }
        : {}),
    });
  }
  // One item at a time, so no giant JSON text raises the process's peak RSS before planning starts.
  return {
    roster: { people: persons.map(asParsed), errors: [], invalidRowIdentities: [] },
    inventory: { accounts: [{ account: ACCOUNT, users: users.map(asParsed), groups: [], credentialReportAt: NOW }], hosts: [], accountErrors: [] },
  };
}

const DATE_KEYS = new Set(['endAt', 'createdAt', 'lastRotated', 'lastUsed', 'passwordLastUsed', 'credentialReportAt']);

/**
 * The planner's input as parsers hand it over (the roster's CSV parser, the SDK's XML parser):
 * flat strings, not the rope strings template literals build here, which V8 must flatten before
 * hashing and would bill to the planner.
 */
function asParsed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (DATE_KEYS.has(key) && typeof v === 'string' ? new Date(v) : v)) as T;
}

const policy: AccessPolicy = {
  timezone: 'UTC',
  roles: Object.fromEntries(Object.entries(GROUPS).map(([role, groups]) => [role, { groups, managedPolicies: [] }])),
  breakGlass: ['break-glass-admin'],
  serviceAccounts: [],
  orphans: 'report',
  deleteAfterDays: 30,
  identity: { employeeIdTag: 'employee_id', emailTag: 'email' },
  hygiene: { rotationDays: 90, unusedDays: 45 },
  denyAllPolicyName: 'warden-deny-all',
  hosts: { lockUsers: true },
};

const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
const input = build(people);
// One warm-up run on a small slice so JIT compilation is not billed to the measured run.
plan({ roster: { ...input.roster, people: input.roster.people.slice(0, 1000) }, inventory: input.inventory, policy, now: NOW });
// Collect the garbage of building the input first, so it is not billed to the planner.
(globalThis as { gc?: () => void }).gc?.();
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const result = plan({ ...input, policy, now: NOW });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
// CPU time (all threads, GC included) is steadier than wall time on a shared machine.
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({ people, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), actions: result.actions.length, findings: result.findings.length, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), baselineRssMb: Math.round(baselineRssMb) })}\n`,
);
