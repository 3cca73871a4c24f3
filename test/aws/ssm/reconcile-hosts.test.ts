// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { isRevocation } from '../../../src/domain/plan';
import type { Person } from '../../../src/domain/roster';
import { createDummyGuardPolicy, createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore } from '../../fixtures/builders';
import { createDummyAccount, createHostRoot, makeKey, type HostRoot, type TestKey } from '../../hosts/helpers';
import { ACCOUNT, createDummyInstance, startSsmHarness, type SsmHarness } from './helpers';

const WEB = 'i-0aaaaaaaaaaaaaaa1';
const DB = 'i-0bbbbbbbbbbbbbbb2';
const FILES = ['/home/alice/.ssh/authorized_keys', '/home/bob/.ssh/authorized_keys', '/home/ec2-user/.ssh/authorized_keys'];

let bobKey: TestKey;
let bobRsa: TestKey;
let aliceKey: TestKey;
let strayKey: TestKey;
let web: HostRoot;
let db: HostRoot;
let h: SsmHarness;

function depsFor(people: readonly Person[], audit: MemoryAuditLog): ReconcileDeps {
  const clock = { now: () => new Date() };
  return {
    roster: { load: async () => createDummyRoster(people) },
    directories: [],
    hosts: h.hostFleet(),
    audit,
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock,
    policy: createDummyPolicy(),
    guard: createDummyGuardPolicy(),
  };
}

beforeAll(async () => {
  bobKey = makeKey('ed25519', 'bob@laptop');
  bobRsa = makeKey('rsa', 'bob@desktop');
  aliceKey = makeKey('ecdsa', 'alice@phone');
  strayKey = makeKey('ed25519', 'who@where');
  web = createHostRoot({ accounts: ['alice', 'bob', 'ec2-user'].map((name) => createDummyAccount({ name })), hostname: 'web-1' });
  web.write('/home/alice/.ssh/authorized_keys', `# alice\n${aliceKey.line}\n`);
  web.write('/home/bob/.ssh/authorized_keys', `${bobKey.line}\nrestrict ${bobRsa.line}`);
  web.write('/home/ec2-user/.ssh/authorized_keys', `${strayKey.line}\nfrom="10.0.0.0/8" ${bobKey.line}\n${aliceKey.line}\n`);
  db = createHostRoot({ accounts: [createDummyAccount({ name: 'bob' })], hostname: 'db-1' });
  db.write('/home/bob/.ssh/authorized_keys', `${bobKey.line}\n`);
  h = await startSsmHarness({
    instances: [createDummyInstance({ instanceId: WEB }), createDummyInstance({ instanceId: DB, state: 'offline' })],
    roots: { [WEB]: web, [DB]: db },
  });
});

afterAll(async () => {
  await h.close();
  web.cleanup();
  db.cleanup();
});

describe('reconcile with an SSM host fleet', () => {
  it('plans, applies and verifies host revocations per host account; the offline host is handled on the next run', async () => {
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1), sshKeys: [bobKey.line] });
    const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com' });
    const audit = new MemoryAuditLog();
    const deps = depsFor([alice, bob], audit);
    const before = FILES.map((f) => web.read(f).toString('utf8'));

    const planned = await computePlan(deps);
    const kinds = planned.plan.actions.map((a) => `${a.kind} ${a.userName}`);
    expect(kinds).toEqual([`remove-host-key ${WEB}:bob`, `remove-host-key ${WEB}:bob`, `lock-host-user ${WEB}:bob`, `remove-host-key ${WEB}:ec2-user`]);
    expect(planned.plan.findings.flatMap((f) => (f.instanceId !== undefined ? [[f.kind, f.instanceId, f.userName]] : []))).toEqual([
      ['host-unreachable', DB, undefined],
      ['orphan-host-key', WEB, 'ec2-user'],
      ['orphan-host-key', WEB, 'ec2-user'],
    ]);

    const report = await applyPlan(deps, planned, { actor: 'cli:test' });
    expect(report.outcome).toBe('ok');
    expect(report.verifications.map((v) => [v.userName, v.verified, v.noAccessLeft])).toEqual([
      [`${WEB}:bob`, true, true],
      [`${WEB}:ec2-user`, true, true],
    ]);
    const verifies = (await audit.query({})).filter((e) => e.action === 'verify');
    expect(verifies.map((e) => [e.target, e.result, e.person, e.account])).toEqual([
      [`${WEB}:bob`, 'verified', 'bob@example.com (E2)', ACCOUNT],
      [`${WEB}:ec2-user`, 'verified', 'bob@example.com (E2)', ACCOUNT],
    ]);
    // Only the leaver's lines went; every other byte stayed.
    const after = FILES.map((f) => web.read(f).toString('utf8'));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe('');
    expect(after[2]).toBe(`${strayKey.line}\n${aliceKey.line}\n`);

    const again = await computePlan(deps);
    expect(again.plan.actions).toEqual([]);
    const second = await applyPlan(deps, again, { actor: 'cli:test' });
    expect(second.results).toEqual([]);
    expect(FILES.map((f) => web.read(f).toString('utf8'))).toEqual(after);

    h.fleet.setState(DB, 'online');
    const next = await computePlan(deps);
    expect(next.plan.actions.filter(isRevocation).map((a) => `${a.kind} ${a.userName}`)).toEqual([`remove-host-key ${DB}:bob`, `lock-host-user ${DB}:bob`]);
    expect(next.plan.findings.some((f) => f.kind === 'host-unreachable')).toBe(false);
    const third = await applyPlan(deps, next, { actor: 'cli:test' });
    expect(third.verifications.map((v) => [v.userName, v.verified])).toEqual([[`${DB}:bob`, true]]);
    expect(db.read('/home/bob/.ssh/authorized_keys').toString('utf8')).toBe('');
  });

  it('hands all host actions to a batching fleet at once, intents first, and fails them all (retryably) when it throws', async () => {
    const audit = new MemoryAuditLog();
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(1), sshKeys: [aliceKey.line] });
    const deps = depsFor([carol], audit);
    const planned = await computePlan(deps);
    expect(planned.plan.actions.map((a) => a.kind)).toEqual(['remove-host-key', 'remove-host-key']);
    const asked: string[][] = [];
    const batching: ReconcileDeps = {
      ...deps,
      hosts: {
        inventory: async () => [],
        executeOnHost: () => Promise.reject(new Error('not used when the fleet batches')),
        executeOnHosts: (byHost) => {
          asked.push([...byHost.keys()]);
          return Promise.reject(new Error('SSM throttled'));
        },
      },
    };
    const report = await applyPlan(batching, planned, { actor: 'cli:test' });
    expect(asked).toEqual([[WEB]]);
    expect(report.results.map((r) => r.outcome)).toEqual([
      { result: 'failed', error: 'SSM throttled', retryable: true },
      { result: 'failed', error: 'SSM throttled', retryable: true },
    ]);
    const hostEntries = (await audit.query({})).filter((e) => e.action === 'remove-host-key').map((e) => e.result);
    expect(hostEntries).toEqual(['intent', 'intent', 'failed', 'failed']);
    expect(web.read('/home/alice/.ssh/authorized_keys').toString('utf8')).toContain(aliceKey.body);
  });

  it('records a host verification as failed when the host cannot be re-read', async () => {
    const audit = new MemoryAuditLog();
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(1), sshKeys: [aliceKey.line] });
    const deps = depsFor([carol], audit);
    const planned = await computePlan(deps);
    expect(planned.plan.actions.map((a) => a.kind)).toEqual(['remove-host-key', 'remove-host-key']);
    const failing: ReconcileDeps = {
      ...deps,
      hosts: { inventory: async () => [], executeOnHost: (id, actions) => h.hostFleet().executeOnHost(id, actions), inventoryInstances: async () => Promise.reject(new Error('SSM down')) },
    };
    const report = await applyPlan(failing, planned, { actor: 'cli:test' });
    expect(report.outcome).toBe('partial');
    expect(report.verifications.map((v) => [v.verified, v.remaining])).toEqual([
      [false, ['host could not be re-read: SSM down']],
      [false, ['host could not be re-read: SSM down']],
    ]);
    expect((await audit.query({})).filter((e) => e.action === 'verify').map((e) => e.result)).toEqual(['failed', 'failed']);
  });
});
