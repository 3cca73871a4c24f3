import { describeInvocationFailure, toSsmTarget } from '../../../src/adapters/aws/ssm/fleet';
import { revokeOutcomes } from '../../../src/adapters/aws/ssm/outcomes';
import { s3KeyOf, splitPreview } from '../../../src/adapters/aws/ssm/run-command';
import { parseRevokeOutput, type RevokeRequest } from '../../../src/adapters/hosts/host-script-protocol';
import { makeAction } from '../../../src/domain/planning/build';
import { ModelHostRunner, type ModelHost } from '../../../src/sandbox/ssm-model-hosts';
import { createDummyInstance, startSsmHarness } from './helpers';

const I = 'i-0aaaaaaaaaaaaaaa1';
const KEY = `AAAAC3NzaC1lZDI1NTE5AAAAI${'k'.repeat(43)}`;
const OTHER = `AAAAC3NzaC1lZDI1NTE5AAAAI${'o'.repeat(43)}`;
const fields = { account: '123456789012', userName: `${I}:bob`, reason: 'departed', control: 'offboarding-24h' } as const;
const remove = (osUser: string, keyBody: string) => makeAction('remove-host-key', { ...fields, userName: `${I}:${osUser}` }, { instanceId: I, osUser, keyType: 'ssh-ed25519', keyBody, comment: 'c' });
const lock = (osUser: string) => makeAction('lock-host-user', fields, { instanceId: I, osUser });

describe('revokeOutcomes', () => {
  const request: RevokeRequest = { keyBodies: [KEY, OTHER], lockUsers: ['bob', 'ghost'], killSessions: true };

  it('turns the script report into one outcome per action', () => {
    const report = parseRevokeOutput(
      [
        'WARDEN-REVOKE v1 web-1',
        `REMOVED\tbob\t/home/bob/.ssh/authorized_keys\t1:${KEY.slice(-16)}`,
        `ABSENT\t2:${OTHER.slice(-16)}`,
        'LOCKED\tbob\tusermod',
        'NO-USER\tghost',
        'KILLED\tbob',
        'END 5 changed=3 errors=0',
        '',
      ].join('\n'),
    );
    const actions = [remove('bob', KEY), remove('ec2-user', KEY), remove('bob', OTHER), lock('bob'), lock('ghost')];
    const outcomes = revokeOutcomes(report, request, actions);
    expect(actions.map((a) => outcomes.get(a.id))).toEqual([
      { result: 'ok', before: { keyType: 'ssh-ed25519', comment: 'c', files: ['/home/bob/.ssh/authorized_keys'] }, after: { removedFrom: ['/home/bob/.ssh/authorized_keys'] } },
      { result: 'ok', before: { keyType: 'ssh-ed25519', comment: 'c', files: [] }, after: { alreadyAbsent: true } },
      { result: 'ok', before: { keyType: 'ssh-ed25519', comment: 'c', files: [] }, after: { alreadyAbsent: true } },
      { result: 'ok', after: { locked: true, method: 'usermod', sessions: 'ended' } },
      { result: 'skipped', note: `no account ghost on ${I}` },
    ]);
  });

  it('fails, retryably and with the script\'s reason, what it could not prove', () => {
    const report = parseRevokeOutput(
      [
        'WARDEN-REVOKE v1 web-1',
        'ERROR\tcarol\t/home/carol/.ssh/authorized_keys\tunreadable: keys not checked',
        'ERROR\tbob\t*\tlock failed',
        'END 2 changed=0 errors=2',
        '',
      ].join('\n'),
    );
    const outcomes = revokeOutcomes(report, request, [remove('bob', KEY), lock('bob')]);
    expect([...outcomes.values()]).toEqual([
      { result: 'failed', error: 'key not proven gone: /home/carol/.ssh/authorized_keys: unreadable: keys not checked; lock failed', retryable: true },
      { result: 'failed', error: 'account not locked: lock failed', retryable: true },
    ]);
    const truncated = revokeOutcomes(parseRevokeOutput('WARDEN-REVOKE v1 web-1\nLOCKED\tbob\tusermod\n'), request, [lock('bob')]);
    expect([...truncated.values()][0]).toMatchObject({ result: 'failed', error: expect.stringContaining('truncated') });
  });
});

describe('small helpers', () => {
  it('explains each SSM status an operator may see', () => {
    expect(describeInvocationFailure({ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, '', 'inventory')).toContain('instance offline or its SSM agent not connected');
    expect(describeInvocationFailure({ status: 'Failed', statusDetails: 'Undeliverable' }, '', 'inventory')).toContain('Undeliverable');
    expect(describeInvocationFailure({ status: 'TimedOut', statusDetails: 'Execution Timed Out' }, '', 'inventory')).toContain('ran out of time');
    expect(describeInvocationFailure({ status: 'Cancelled', statusDetails: 'Terminated' }, '', 'inventory')).toContain('too many errors');
    expect(describeInvocationFailure({ status: 'Failed', statusDetails: 'Failed', responseCode: 70 }, 'cat: x\nwarden: cannot read the account list\n', 'inventory')).toBe(
      'inventory script failed on the host (exit 70): warden: cannot read the account list',
    );
    expect(describeInvocationFailure({ status: 'Delayed', statusDetails: 'Delayed' }, '', 'inventory')).toBe('no answer in time (SSM status Delayed/Delayed)');
  });

  it('reads S3 keys from output URLs, splits plugin previews, and reads config targets', () => {
    expect(s3KeyOf('https://s3.eu-west-1.amazonaws.com/out/runs/c/i-1/awsrunShellScript/0.awsrunshellscript/stdout', 'out')).toBe('runs/c/i-1/awsrunShellScript/0.awsrunshellscript/stdout');
    expect(s3KeyOf('https://out.s3.eu-west-1.amazonaws.com/runs/x/stdout', 'out')).toBe('runs/x/stdout');
    expect(s3KeyOf('https://s3.amazonaws.com/other/x', 'out')).toBeUndefined();
    expect(splitPreview('out\n----------ERROR-------\nerr\n')).toEqual({ stdout: 'out', stderr: 'err\n' });
    expect(toSsmTarget({ key: 'Warden', values: ['managed'] })).toEqual({ Key: 'tag:Warden', Values: ['managed'] });
    expect(toSsmTarget({ key: 'tag:Role', values: ['web', 'db'] })).toEqual({ Key: 'tag:Role', Values: ['web', 'db'] });
  });
});

describe('paged inventory when the host changes between pages', () => {
  const line = (i: number): string => `ssh-ed25519 ${KEY} key ${i} ${'x'.repeat(60)}`;

  it('starts again from the first page, and gives up on a host that never holds still', async () => {
    const steady: ModelHost = { hostname: 'steady', accounts: new Map([['ops', { keys: Array.from({ length: 250 }, (_, i) => line(i)), locked: false }]]) };
    const busy: ModelHost = { hostname: 'busy', accounts: new Map([['ops', { keys: Array.from({ length: 250 }, (_, i) => line(i)), locked: false }]]) };
    const model = new ModelHostRunner(new Map([['i-0steady000000001', steady], ['i-0busy00000000001', busy]]));
    let changedSteady = false;
    const h = await startSsmHarness({
      instances: [createDummyInstance({ instanceId: 'i-0steady000000001' }), createDummyInstance({ instanceId: 'i-0busy00000000001' })],
      runner: {
        run: async (id, run) => {
          const out = await model.run(id, run);
          // After each page, someone edits the file: once on the steady host, every time on the busy one.
          if (run.args.includes('--offset') && (id === 'i-0busy00000000001' || !changedSteady)) {
            const host = id === 'i-0busy00000000001' ? busy : steady;
            host.accounts.get('ops')?.keys.push(line(1000));
            if (id !== 'i-0busy00000000001') changedSteady = true;
          }
          return out;
        },
      },
    });
    try {
      const hosts = await h.hostFleet().inventory();
      expect(hosts.map((x) => [x.instanceId, x.status])).toEqual([
        ['i-0busy00000000001', 'unreachable'],
        ['i-0steady000000001', 'ok'],
      ]);
      expect(hosts[0]?.error).toContain('kept changing');
      expect(hosts[1]?.keys).toHaveLength(251);
    } finally {
      await h.close();
    }
  });
});
