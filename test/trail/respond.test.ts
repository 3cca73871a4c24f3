import { respondToTrailEvents } from '../../src/app/trail/respond';
import { parseTrailRecord, wardenActors, type TrailEvent } from '../../src/domain/trail';
import type { Notice } from '../../src/ports';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';
import { bobLeftDeps } from '../fixtures/reconcile-deps';
import { ACCOUNT, createDummyPerson, daysBefore } from '../fixtures/builders';

const WARDEN = `arn:aws:iam::${ACCOUNT}:root`;

function event(overrides: Record<string, unknown> = {}): TrailEvent {
  const parsed = parseTrailRecord({
    eventID: `e-${Math.random()}`,
    eventName: 'UpdateAccessKey',
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-11-26T11:59:00Z',
    recipientAccountId: ACCOUNT,
    sourceIPAddress: '198.51.100.9',
    readOnly: false,
    userIdentity: { type: 'IAMUser', userName: 'other-admin', arn: `arn:aws:iam::${ACCOUNT}:user/other-admin`, accountId: ACCOUNT },
    requestParameters: { userName: 'bob', accessKeyId: 'AKIABOB0000000000001', status: 'Active' },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function setup() {
  const directory = new MemoryAccountDirectory(ACCOUNT, [
    { userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001', { groups: [] , loginProfile: null }) },
    { userName: 'carol', tags: { employee_id: 'E3' }, detail: leaverDetail('AKIACAROL00000000001', { groups: [], loginProfile: null }) },
  ]);
  const notices: Notice[] = [];
  const bobLeft = bobLeftDeps([directory]);
  const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(2) });
  const roster = { load: async () => { const r = await bobLeft.roster.load(); return { ...r, people: [...r.people, carol] }; } };
  const reconcile = { ...bobLeft, roster, notifier: { notify: async (n: Notice) => void notices.push(n) } };
  const deps = { reconcile, policy: { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([WARDEN]) } };
  return { directory, notices, reconcile, deps };
}

describe('responding to access given back', () => {
  it("re-revokes only the leaver the event names, audits and alerts with the actor, time and address", async () => {
    const { directory, notices, reconcile, deps } = setup();
    const response = await respondToTrailEvents(deps, [event()]);
    expect(response.kind).toBe('responded');
    // carol left too and the hourly run would revoke her key, but no event named her: untouched here.
    expect(directory.executed.map((a) => [a.kind, a.userName])).toEqual([
      ['attach-deny-all', 'bob'],
      ['deactivate-access-key', 'bob'],
    ]);
    const entries = await reconcile.audit.query({});
    const restored = entries.find((e) => e.action === 'trail.access-restored');
    expect(restored).toMatchObject({
      result: 'ok',
      target: 'bob',
      before: { restoredBy: `arn:aws:iam::${ACCOUNT}:user/other-admin`, sourceIp: '198.51.100.9', eventTime: '2026-11-26T11:59:00.000Z', eventName: 'UpdateAccessKey' },
      after: { verified: true },
    });
    expect(entries.filter((e) => e.action === 'verify').map((e) => e.target)).toEqual(['bob']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'access-restored', verified: true, undone: [{ kind: 'attach-deny-all', result: 'ok' }, { kind: 'deactivate-access-key', result: 'ok' }] });
  });

  it("ignores Warden's own calls, so re-revoking cannot trigger itself again", async () => {
    const { directory, notices, deps } = setup();
    const own = event({ userIdentity: { type: 'Root', arn: WARDEN, accountId: ACCOUNT }, eventName: 'AttachUserPolicy', requestParameters: { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    expect(await respondToTrailEvents(deps, [own])).toEqual({ kind: 'nothing-restored', ignored: 1 });
    expect(directory.executed).toEqual([]);
    expect(notices).toEqual([]);
  });

  it('a restoring event about an active person changes nothing and only records that it looked', async () => {
    const { directory, notices, reconcile, deps } = setup();
    const response = await respondToTrailEvents(deps, [event({ requestParameters: { userName: 'nobody-here', accessKeyId: 'AKIA1', status: 'Active' } })]);
    expect(response).toMatchObject({ kind: 'responded', undone: [] });
    expect(directory.executed).toEqual([]);
    expect(notices).toEqual([]);
    expect((await reconcile.audit.query({})).find((e) => e.action === 'trail.access-restored')).toMatchObject({ result: 'skipped' });
  });

  it('an account Warden does not manage is reported, never acted on', async () => {
    const { directory, deps } = setup();
    const response = await respondToTrailEvents(deps, [event({ recipientAccountId: '999999999999' })]);
    expect(response).toMatchObject({ kind: 'responded', notReplanned: ['999999999999/bob (account not managed by Warden)'] });
    expect(directory.executed).toEqual([]);
  });
});
