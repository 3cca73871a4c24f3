// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { compareKeyFiles, runDemo } from '../../../src/cli/commands/demo';
import type { CliIo } from '../../../src/cli/io';

const REPO_HOSTS = path.resolve(__dirname, '../../../config/demo/hosts');

function captureIo(cwd: string): { io: CliIo; output: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const io: CliIo = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd, userName: 'demo-test' };
  return { io, output: () => Buffer.concat(chunks).toString('utf8') };
}

jest.setTimeout(60_000);

describe('warden demo with hosts', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-demo-hosts-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('cleans the leavers\' keys off the simulated hosts, reports the offline one, and cleans it on the next run', async () => {
    const bobFile = path.join(REPO_HOSTS, 'i-0demoweb00000001/home/bob/.ssh/authorized_keys');
    const repoBefore = readFileSync(bobFile, 'utf8');
    const { io, output } = captureIo(dir);

    const code = await runDemo(io, { dir: 'demo' });

    const text = output();
    expect(code).toBe(0);
    expect(text).toContain('- remove ssh-ed25519 key "bob@laptop" of ec2-user on i-0demoweb00000001');
    expect(text).toContain('- remove ssh-ed25519 key "leo@workstation" of leo on i-0demobastion001');
    expect(text).toContain('- lock host account bob on i-0demoweb00000001');
    expect(text).toMatch(/\[high\] i-0demodb00000001: host did not answer \(.*DeliveryTimedOut/);
    expect(text).toMatch(/orphan-host-key \(1\)\n.*contractor@old-laptop/);
    expect(text).toContain('Hosts: 4 key lines removed from 3 authorized_keys files; every other line is byte-identical.');
    expect(text).toContain('- remove ssh-ed25519 key "bob@laptop" of bob on i-0demodb00000001');
    expect(text).toContain('verified 111122223333/i-0demodb00000001:bob: no access left');
    expect(text).toContain('Plan again: 0 revocation actions, 0 hosts unreachable.');
    // Issue 15: another admin gives bob's key back; CloudTrail names them, Warden undoes it and reports bob's call meanwhile.
    expect(text).toMatch(/CloudTrail: UpdateAccessKey by arn:aws:iam::111122223333:user\/it-admin at \S+ from \S+: re-activated access key AKIADEMOBOB000000001/);
    expect(text).toContain('Warden undid: deactivate-access-key on 111122223333/bob: ok');
    expect(text).toMatch(/\[high\] post-revocation use by bob@example.com \(E002\): GetCallerIdentity at /);
    expect(readFileSync(path.join(dir, 'demo/hosts/i-0demodb00000001/home/bob/.ssh/authorized_keys'), 'utf8')).toBe('');
    // The demo works on its copy: the repository's hosts are never changed.
    expect(readFileSync(bobFile, 'utf8')).toBe(repoBefore);
  });
});

describe('compareKeyFiles', () => {
  const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIAz9x2ah6VVC6qPqZJ8UQtn4xD7xnumpeUAheHSsIdN1';
  const before = new Map([
    [path.join('i-1', 'home/a/.ssh/authorized_keys'), `# keep\nssh-ed25519 ${KEY} bob\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther other\n`],
    [path.join('i-2', 'home/a/.ssh/authorized_keys'), `ssh-ed25519 ${KEY} bob\n`],
  ]);
  const removed = new Map([['i-1', new Set([KEY])]]);

  it('accepts files that lost exactly the removed keys of their host', () => {
    const after = new Map([
      [path.join('i-1', 'home/a/.ssh/authorized_keys'), '# keep\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther other\n'],
      [path.join('i-2', 'home/a/.ssh/authorized_keys'), `ssh-ed25519 ${KEY} bob\n`],
    ]);
    expect(compareKeyFiles(before, after, removed)).toEqual({ removed: 1, files: 1, problems: [] });
  });

  it('flags any other change, even whitespace', () => {
    const after = new Map([
      [path.join('i-1', 'home/a/.ssh/authorized_keys'), '# keep \nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther other\n'],
      [path.join('i-2', 'home/a/.ssh/authorized_keys'), ''],
    ]);
    expect(compareKeyFiles(before, after, removed).problems).toHaveLength(2);
  });
});
