import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { createIamClient } from '../../src/adapters/aws/iam/client';
import { IamAccountDirectory } from '../../src/adapters/aws/iam/directory';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import { MemoryTrailCursorStore } from '../../src/adapters/state/trail-cursors';
import { CloudTrailSource } from '../../src/adapters/aws/cloudtrail';
import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import { pollTrail } from '../../src/app/trail/poll';
import { scanPostRevocationUse } from '../../src/app/trail/post-revocation';
import { respondToTrailEvents } from '../../src/app/trail/respond';
import { buildLeaverReport } from '../../src/domain/evidence/leavers';
import { renderLeaversHtml } from '../../src/report/leavers-html';
import { wardenActors } from '../../src/domain/trail';
import type { Notice } from '../../src/ports';
import { CloudTrailLog, cloudTrailService } from '../../src/sandbox/cloudtrail';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { createDummyPerson, createDummyPolicy, createDummyRoster } from '../fixtures/builders';
import { createDummyUser, createTestClock } from '../sandbox/helpers';

const PROD = '111111111111';
const WARDEN_KEY = 'AKIAPRODSANDBOX00001';
const OTHER_ADMIN_KEY = 'AKIAOTHERADMIN000001';
const BOB_KEY = 'AKIABOB0000000000001';

describe('access given back and used after revocation (serve: polling)', () => {
  const clock = createTestClock('2026-12-03T10:00:00Z');
  let sandbox: RunningSandbox;
  const clients: { destroy(): void }[] = [];
  const client = (accessKeyId: string): IAMClient => {
    const c = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock.set('2026-12-03T10:00:00Z');
    const trail = new CloudTrailLog();
    sandbox = await startSandbox({
      state: IamSandboxState.fromSeed(
        {
          accounts: [
            {
              id: PROD,
              accessKeyIds: [WARDEN_KEY],
              policies: [wardenDenyAllPolicy(PROD)],
              groups: [{ name: 'developers' }],
              users: [
                createDummyUser({ userName: 'bob', tags: { employee_id: 'E2', email: 'bob@example.com' }, groups: ['developers'], accessKeys: [{ id: BOB_KEY, status: 'Active', createdAt: '2024-01-02T00:00:00Z' }] }),
                createDummyUser({ userName: 'other-admin', tags: {}, accessKeys: [{ id: OTHER_ADMIN_KEY, status: 'Active', createdAt: '2024-01-02T00:00:00Z' }] }),
              ],
            },
          ],
        },
        clock.now,
      ),
      extraServices: [cloudTrailService(trail)],
      observers: [trail.observe],
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await sandbox.close();
  });

  it('catches the re-activated key through polling, undoes it, and reports the leaver’s call made meanwhile', async () => {
    const iam = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' } });
    clients.push(iam);
    const policy = createDummyPolicy({ roles: {} });
    const notices: Notice[] = [];
    const deps: ReconcileDeps = {
      roster: { load: async () => createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: new Date('2026-12-02T00:00:00Z') })]) },
      directories: [new IamAccountDirectory({ client: iam, account: PROD, policy: { denyAllPolicyName: policy.denyAllPolicyName, identity: policy.identity }, clock })],
      audit: new MemoryAuditLog({ clock }),
      runs: new MemoryRunStateStore(),
      notifier: { notify: async (n) => void notices.push(n) },
      clock,
      policy,
      guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
    };
    // The hourly run revokes bob.
    await applyPlan(deps, await computePlan(deps), { actor: 'system' });
    expect(sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');

    clock.set('2026-12-03T10:05:00Z');
    await client(OTHER_ADMIN_KEY).send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
    clock.set('2026-12-03T10:06:00Z');
    await client(BOB_KEY).send(new GetUserCommand({}));

    clock.set('2026-12-03T10:07:00Z');
    const trailClient = new CloudTrailClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' } });
    clients.push(trailClient);
    const sources = [new CloudTrailSource({ client: trailClient, account: PROD })];
    const trailPolicy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([`arn:aws:iam::${PROD}:root`]) };
    const polled = await pollTrail({ sources, cursors: new MemoryTrailCursorStore(), clock, respond: (events) => respondToTrailEvents({ reconcile: deps, policy: trailPolicy }, events) });
    expect(polled).toMatchObject([{ account: PROD, complete: true }]);
    expect(sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');
    expect(notices.find((n) => n.kind === 'access-restored')).toMatchObject({ verified: true, events: [{ event: { actor: { arn: `arn:aws:iam::${PROD}:user/other-admin` } } }] });
    await expect(client(BOB_KEY).send(new GetUserCommand({}))).rejects.toThrow();

    clock.set('2026-12-03T10:10:00Z');
    const scan = await scanPostRevocationUse({ audit: deps.audit, sources, notifier: deps.notifier, clock, slaHours: 24 });
    expect(scan.errors).toEqual([]);
    expect(scan.findings.map((f) => [f.event.eventName, f.event.eventTime.toISOString(), f.matchedBy])).toEqual([['GetUser', '2026-12-03T10:06:00.000Z', 'access-key']]);
    expect(notices.find((n) => n.kind === 'post-revocation-use')).toMatchObject({ person: 'bob@example.com (E2)' });
    const entries = await deps.audit.query({});
    expect(entries.filter((e) => e.action === 'trail.post-revocation-use')).toMatchObject([{ result: 'failed', account: PROD, after: { severity: 'high', eventName: 'GetUser', usedBy: BOB_KEY } }]);
    const report = buildLeaverReport(entries, { from: new Date('2026-12-01T00:00:00Z'), to: clock.now(), slaHours: 24, now: clock.now() });
    expect(report.leavers[0]?.postRevocationUse).toMatchObject([{ eventName: 'GetUser', eventTime: '2026-12-03T10:06:00.000Z', usedBy: BOB_KEY }]);
    expect(report.leavers[0]?.notes.join(' ')).toContain('after access was revoked');
    const html = renderLeaversHtml(report);
    expect(html).toContain('High: access used after revocation (CloudTrail)');
    expect(html).toMatch(/<td>GetUser<\/td><td>111111111111<\/td><td>AKIABOB0000000000001<\/td>/);

    // Hourly again: nothing new, nothing repeated.
    clock.set('2026-12-03T11:10:00Z');
    expect((await scanPostRevocationUse({ audit: deps.audit, sources, notifier: deps.notifier, clock, slaHours: 24 })).findings).toEqual([]);
    expect(notices.filter((n) => n.kind === 'post-revocation-use')).toHaveLength(1);
  }, 30_000);
});
