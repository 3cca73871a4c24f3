// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { s3OutputStore } from '../../../src/adapters/aws/ssm/run-command';
import { INVENTORY_PAGE_BYTES, SSM_STDOUT_LIMIT } from '../../../src/adapters/hosts/host-script-protocol';
import { makeAction } from '../../../src/domain/planning/build';
import type { Action } from '../../../src/domain/plan';
import { ModelHostRunner, type ModelHost } from '../../../src/sandbox/ssm-model-hosts';
import { INVENTORY_SH, createDummyAccount, createHostRoot, makeKey, runScript, type HostRoot, type TestKey } from '../../hosts/helpers';
import { ACCOUNT, createDummyInstance, startSsmHarness, type SsmHarness } from './helpers';

const WEB = 'i-0aaaaaaaaaaaaaaa1';
const BIG = 'i-0bbbbbbbbbbbbbbb2';
const BROKEN = 'i-0ccccccccccccccc3';
const OFFLINE = 'i-0ddddddddddddddd4';

let leaverEd: TestKey;
let leaverRsa: TestKey;
let stayEd: TestKey;
let stayEc: TestKey;
const roots: HostRoot[] = [];

function hostRoot(...args: Parameters<typeof createHostRoot>): HostRoot {
  const h = createHostRoot(...args);
  roots.push(h);
  return h;
}

/** The web host: a leaver's keys in their own account (with an options prefix) and copied into a shared one. */
function webHost(): HostRoot {
  const h = hostRoot({
    accounts: [createDummyAccount({ name: 'alice' }), createDummyAccount({ name: 'bob' }), createDummyAccount({ name: 'ec2-user' })],
    hostname: 'web-1',
  });
  h.write('/home/alice/.ssh/authorized_keys', `${stayEd.line}\nno-pty,from="10.0.0.1" ${stayEc.line}\n`);
  h.write('/home/bob/.ssh/authorized_keys', `${leaverEd.line}\n# laptop two\nfrom="10.0.0.1,10.0.0.2",no-agent-forwarding ${leaverRsa.line}\n`);
  h.write('/home/ec2-user/.ssh/authorized_keys', `command="/usr/bin/true" ${leaverEd.line}\n${stayEd.line}\n`);
  return h;
}

/** A host whose inventory is larger than SSM's 24,000 characters, with a leaver's key on its last line. */
function bigHost(): HostRoot {
  const h = hostRoot({ accounts: [createDummyAccount({ name: 'deploy' })], hostname: 'big-1' });
  const lines = Array.from({ length: 200 }, (_, i) => `${stayEd.type} ${stayEd.body} deploy key ${i} ${'x'.repeat(40)}`);
  h.write('/home/deploy/.ssh/authorized_keys', `${[...lines, leaverEd.line].join('\n')}\n`);
  return h;
}

const removeKey = (instanceId: string, osUser: string, key: TestKey, comment: string): Action =>
  makeAction(
    'remove-host-key',
    { account: ACCOUNT, userName: `${instanceId}:${osUser}`, reason: 'departed', control: 'offboarding-24h' },
    { instanceId, osUser, keyType: key.type, keyBody: key.body, comment },
  );
const lockUser = (instanceId: string, osUser: string): Action =>
  makeAction('lock-host-user', { account: ACCOUNT, userName: `${instanceId}:${osUser}`, reason: 'departed', control: 'offboarding-24h' }, { instanceId, osUser });

beforeAll(() => {
  leaverEd = makeKey('ed25519', 'bob@laptop');
  leaverRsa = makeKey('rsa', 'bob rsa key');
  stayEd = makeKey('ed25519', 'alice@laptop');
  stayEc = makeKey('ecdsa', 'alice@phone');
});

afterAll(() => {
  for (const h of roots) h.cleanup();
});

describe('SsmHostFleet.inventory against the SSM sandbox running the real scripts', () => {
  let h: SsmHarness;
  let big: HostRoot;

  beforeAll(async () => {
    big = bigHost();
    const broken = hostRoot({ accounts: [] });
    rmSync(broken.at('/etc/passwd')); // inventory.sh cannot read the account list and exits 70
    h = await startSsmHarness({
      instances: [
        createDummyInstance({ instanceId: WEB }),
        createDummyInstance({ instanceId: BIG }),
        createDummyInstance({ instanceId: BROKEN }),
        createDummyInstance({ instanceId: OFFLINE, state: 'offline' }),
        createDummyInstance({ instanceId: 'i-0eeeeeeeeeeeeeee5', tags: { Warden: 'other' } }),
      ],
      roots: { [WEB]: webHost(), [BIG]: big, [BROKEN]: broken },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('reads every targeted host in full, and reports the ones that did not answer with SSM\'s reason', async () => {
    const fullSize = Buffer.byteLength(runScript(INVENTORY_SH, [], { root: big.root }).stdout);
    expect(fullSize).toBeGreaterThan(SSM_STDOUT_LIMIT);
    h.sandbox.calls.reset();

    const hosts = await h.hostFleet({ maxConcurrency: '3' }).inventory();

    expect(hosts.map((x) => [x.instanceId, x.status])).toEqual([
      [WEB, 'ok'],
      [BIG, 'ok'],
      [BROKEN, 'unreachable'],
      [OFFLINE, 'unreachable'],
    ]);
    const web = hosts[0];
    expect(web?.account).toBe(ACCOUNT);
    expect(web?.keys.map((k) => [k.osUser, k.line, k.keyType, k.keyBody, k.comment])).toEqual([
      ['alice', 1, stayEd.type, stayEd.body, 'alice@laptop'],
      ['alice', 2, stayEc.type, stayEc.body, 'alice@phone'],
      ['bob', 1, leaverEd.type, leaverEd.body, 'bob@laptop'],
      ['bob', 3, leaverRsa.type, leaverRsa.body, 'bob rsa key'],
      ['ec2-user', 1, leaverEd.type, leaverEd.body, 'bob@laptop'],
      ['ec2-user', 2, stayEd.type, stayEd.body, 'alice@laptop'],
    ]);
    expect(hosts[1]?.keys).toHaveLength(201);
    expect(hosts[1]?.keys[200]).toMatchObject({ osUser: 'deploy', line: 201, keyBody: leaverEd.body });
    expect(hosts[2]?.error).toMatch(/^inventory script failed on the host \(exit 70\): warden: cannot read the account list/);
    expect(hosts[3]?.error).toMatch(/TimedOut\/DeliveryTimedOut.*offline/);

    // One targeted command, then the big host alone in byte-window pages.
    const commands = h.ssm.commands();
    expect(commands[0]).toMatchObject({ targets: [{ Key: 'tag:Warden', Values: ['managed'] }], maxConcurrency: '3', maxErrors: '100%' });
    expect(commands.slice(1).map((c) => c.instanceIds)).toEqual(Array.from({ length: Math.ceil(fullSize / INVENTORY_PAGE_BYTES) }, () => [BIG]));
    expect(h.calls()['SendCommand']).toBe(1 + Math.ceil(fullSize / INVENTORY_PAGE_BYTES));
  });

  it('reads large output from the S3 output bucket when one is configured, without paging', async () => {
    const objects = h.ssm.s3Objects;
    const s3Server: Server = createServer((req, res) => {
      const key = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '');
      const body = objects.get(key);
      res.statusCode = body === undefined ? 404 : 200;
      res.setHeader('content-type', body === undefined ? 'application/xml' : 'text/plain');
      res.end(body ?? '<Error><Code>NoSuchKey</Code><Message>none</Message></Error>');
    });
    await new Promise<void>((resolve) => s3Server.listen(0, '127.0.0.1', resolve));
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${(s3Server.address() as AddressInfo).port}`,
      forcePathStyle: true,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIATESTS3000000001', secretAccessKey: 'x' },
    });
    try {
      h.sandbox.calls.reset();
      const before = h.ssm.commands().length;
      const hosts = await h.hostFleet({ output: { bucket: 'warden-output', keyPrefix: 'runs', store: s3OutputStore(s3) } }).inventory();
      expect(hosts.find((x) => x.instanceId === BIG)?.keys).toHaveLength(201);
      expect(h.ssm.commands().length - before).toBe(1);
      expect([...objects.keys()].some((k) => k.startsWith('warden-output/runs/') && k.endsWith(`/${BIG}/awsrunShellScript/inventory/stdout`))).toBe(true);
    } finally {
      s3.destroy();
      await new Promise<void>((resolve) => s3Server.close(() => resolve()));
    }
  });

  it('ignores an S3 output that does not begin with what SSM reported (another instance may write the bucket) and reads through SSM', async () => {
    const forged = `WARDEN-INVENTORY v1 big-1\nK\tdeploy\t/home/deploy/.ssh/authorized_keys\t1\t${stayEd.type}\t${stayEd.body}\tdeploy\nEND 1\n`;
    let reads = 0;
    const store = {
      read: (): Promise<string> => {
        reads++;
        return Promise.resolve(forged);
      },
    };
    const hosts = await h.hostFleet({ output: { bucket: 'warden-output', keyPrefix: 'runs', store } }).inventory();
    const big = hosts.find((x) => x.instanceId === BIG);
    expect(reads).toBeGreaterThan(0);
    expect(big?.status).toBe('ok');
    expect(big?.keys).toHaveLength(201);
    expect(big?.keys.some((k) => k.keyBody === leaverEd.body)).toBe(true);
  });

  it('ignores an S3 output that begins with what SSM reported but was rewritten after it (hides a key past the preview)', async () => {
    // Another instance's role can write the bucket: it keeps the part SSM reports (the first 2,500 characters) and drops
    // the leaver's key line further down. Only the seal in that reported part tells the rewrite.
    let forgedOnce = false;
    const store = {
      read: (bucket: string, key: string): Promise<string> => {
        const real = h.ssm.s3Objects.get(`${bucket}/${key}`) ?? '';
        const at = real.indexOf(leaverEd.body);
        if (at < 3000) return Promise.resolve(real);
        const lineStart = real.lastIndexOf('\n', at) + 1;
        const lineEnd = real.indexOf('\n', at) + 1;
        const records = Number(/\nEND (\d+)\n$/.exec(real)?.[1]);
        forgedOnce = true;
        return Promise.resolve(`${real.slice(0, lineStart)}${real.slice(lineEnd)}`.replace(/\nEND \d+\n$/, `\nEND ${records - 1}\n`));
      },
    };
    const hosts = await h.hostFleet({ output: { bucket: 'warden-output', keyPrefix: 'runs', store } }).inventory();
    const big = hosts.find((x) => x.instanceId === BIG);
    expect(forgedOnce).toBe(true);
    expect(big?.status).toBe('ok');
    expect(big?.keys).toHaveLength(201);
    expect(big?.keys.some((k) => k.keyBody === leaverEd.body)).toBe(true);
  });

  it('leaves an instance SSM does not manage out of its batch and reports it, reading the rest', async () => {
    h.fleet.add(createDummyInstance({ instanceId: 'i-0fffffffffffffff6', state: 'unregistered' }));
    h.sandbox.calls.reset();
    const hosts = await h.hostFleet({ targets: [], instanceIds: [WEB, 'i-0fffffffffffffff6', OFFLINE] }).inventory();
    expect(hosts.map((x) => [x.instanceId, x.status, x.error ?? ''])).toEqual([
      [WEB, 'ok', ''],
      [OFFLINE, 'unreachable', expect.stringContaining('DeliveryTimedOut')],
      ['i-0fffffffffffffff6', 'unreachable', 'not managed by SSM (no SSM agent, not registered, or terminated)'],
    ]);
    expect(h.sandbox.calls.failures('SendCommand', 'InvalidInstanceId')).toBe(1);
    expect(h.calls()['DescribeInstanceInformation']).toBe(1);
  });

  it('never reports a targeted host twice when it is also listed by id', async () => {
    const before = h.ssm.commands().length;
    const hosts = await h.hostFleet({ instanceIds: [WEB, OFFLINE] }).inventory();
    expect(hosts.filter((x) => x.instanceId === WEB)).toHaveLength(1);
    const sent = h.ssm.commands().slice(before);
    expect(sent[0]?.targets).toEqual([{ Key: 'tag:Warden', Values: ['managed'] }]);
    expect(sent.filter((c) => c.instanceIds.includes(WEB) || c.instanceIds.includes(OFFLINE))).toEqual([]);
  });
});

describe('SsmHostFleet.executeOnHost', () => {
  let h: SsmHarness;
  let web: HostRoot;

  beforeAll(async () => {
    web = webHost();
    h = await startSsmHarness({
      instances: [createDummyInstance({ instanceId: WEB }), createDummyInstance({ instanceId: OFFLINE, state: 'offline' })],
      roots: { [WEB]: web },
      // SSM may not know an invocation for a moment after SendCommand.
      ssm: { invocationLag: 2 },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('removes the keys from every file, locks the account, and changes nothing the second time', async () => {
    const alice = web.read('/home/alice/.ssh/authorized_keys').toString('utf8');
    const bob = web.read('/home/bob/.ssh/authorized_keys').toString('utf8');
    const shared = web.read('/home/ec2-user/.ssh/authorized_keys').toString('utf8');
    const actions = [
      removeKey(WEB, 'bob', leaverEd, 'bob@laptop'),
      removeKey(WEB, 'bob', leaverRsa, 'bob rsa key'),
      removeKey(WEB, 'ec2-user', leaverEd, 'bob@laptop'),
      lockUser(WEB, 'bob'),
    ];
    const fleet = h.hostFleet({ killSessions: true });

    const first = await fleet.executeOnHost(WEB, actions);

    expect(actions.map((a) => first.get(a.id)?.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(first.get(actions[0]?.id ?? '')).toMatchObject({ after: { removedFrom: ['/home/bob/.ssh/authorized_keys'] } });
    expect(first.get(actions[3]?.id ?? '')).toMatchObject({ after: { locked: true, sessions: 'not ended: simulated host: no process is killed' } });
    expect(web.read('/home/alice/.ssh/authorized_keys').toString('utf8')).toBe(alice);
    expect(web.read('/home/bob/.ssh/authorized_keys').toString('utf8')).toBe(bob.split('\n').filter((l) => !l.includes(leaverEd.body) && !l.includes(leaverRsa.body)).join('\n'));
    expect(web.read('/home/ec2-user/.ssh/authorized_keys').toString('utf8')).toBe(`${stayEd.line}\n`);
    expect(shared).toContain(leaverEd.body);
    // Results come from ListCommandInvocations once the command is done, not from a GetCommandInvocation per host.
    expect(h.calls()['GetCommandInvocation'] ?? 0).toBe(0);
    const sent = h.ssm.commands().at(-1);
    expect(sent).toMatchObject({ documentName: 'WardenRevoke', instanceIds: [WEB], script: 'revoke' });
    expect(Object.keys(sent?.parameters ?? {}).sort()).toEqual(['Arguments', 'executionTimeout']);

    const files = ['/home/alice/.ssh/authorized_keys', '/home/bob/.ssh/authorized_keys', '/home/ec2-user/.ssh/authorized_keys', '/etc/shadow'].map((f) => web.read(f));
    const second = await fleet.executeOnHost(WEB, actions);
    expect(actions.map((a) => second.get(a.id)?.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(second.get(actions[0]?.id ?? '')).toMatchObject({ after: { alreadyAbsent: true } });
    expect(second.get(actions[3]?.id ?? '')).toMatchObject({ after: { locked: true, already: true } });
    expect(['/home/alice/.ssh/authorized_keys', '/home/bob/.ssh/authorized_keys', '/home/ec2-user/.ssh/authorized_keys', '/etc/shadow'].map((f) => web.read(f))).toEqual(files);

    const reread = await fleet.inventoryInstances([WEB]);
    expect(reread[0]?.keys.some((k) => k.keyBody === leaverEd.body || k.keyBody === leaverRsa.body)).toBe(false);
    expect(reread[0]?.lockedUsers).toEqual(['bob']);
  });

  it('skips locking an account the host does not have', async () => {
    const action = lockUser(WEB, 'nobody');
    const outcomes = await h.hostFleet().executeOnHost(WEB, [action]);
    expect(outcomes.get(action.id)).toEqual({ result: 'skipped', note: `no account nobody on ${WEB}` });
  });

  it('fails every action, retryably and with SSM\'s reason, on a host that does not answer', async () => {
    const actions = [removeKey(OFFLINE, 'bob', leaverEd, 'bob@laptop'), lockUser(OFFLINE, 'bob')];
    const outcomes = await h.hostFleet().executeOnHost(OFFLINE, actions);
    for (const action of actions) {
      expect(outcomes.get(action.id)).toEqual({ result: 'failed', error: expect.stringContaining('DeliveryTimedOut') as unknown as string, retryable: true });
    }
  });
});

describe('SsmHostFleet at scale (in-memory model hosts)', () => {
  it('sends explicit instances in commands of at most 50 ids', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    const hosts = new Map<string, ModelHost>(ids.map((id) => [id, { hostname: id, accounts: new Map([['ops', { keys: [stayEd.line], locked: false }]]) }]));
    const h = await startSsmHarness({ instances: ids.map((instanceId) => createDummyInstance({ instanceId })), runner: new ModelHostRunner(hosts) });
    try {
      const read = await h.hostFleet({ targets: [], instanceIds: ids }).inventory();
      expect(read.filter((x) => x.status === 'ok')).toHaveLength(120);
      expect(h.ssm.commands().map((c) => c.instanceIds.length)).toEqual([50, 50, 20]);
    } finally {
      await h.close();
    }
  });
});
