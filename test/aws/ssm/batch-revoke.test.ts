import { randomBytes } from 'node:crypto';
import { UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from '@aws-sdk/client-ssm';
import { DOCUMENT_NAMES, wardenDocuments } from '../../../src/adapters/aws/ssm/documents';
import { loadHostScripts } from '../../../src/adapters/hosts/host-script-protocol';
import { makeAction } from '../../../src/domain/planning/build';
import type { Action } from '../../../src/domain/plan';
import { ModelHostRunner, type ModelHost } from '../../../src/sandbox/ssm-model-hosts';
import { ACCOUNT, createDummyInstance, startSsmHarness } from './helpers';

const fields = { account: ACCOUNT, reason: 'departed', control: 'offboarding-24h' } as const;
const ed = (name: string): string => `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;
const LEAVER = ed('leaver');
const removeKey = (instanceId: string, osUser: string, keyBody: string): Action =>
  makeAction('remove-host-key', { ...fields, userName: `${instanceId}:${osUser}` }, { instanceId, osUser, keyType: 'ssh-ed25519', keyBody, comment: 'leaver@laptop' });
const lockUser = (instanceId: string, osUser: string): Action => makeAction('lock-host-user', { ...fields, userName: `${instanceId}:${osUser}` }, { instanceId, osUser });
const id = (i: number): string => `i-0${String(i).padStart(16, '0')}`;

function modelHosts(ids: readonly string[], accounts: () => [string, { keys: string[]; locked: boolean }][]): Map<string, ModelHost> {
  return new Map(ids.map((instanceId) => [instanceId, { hostname: instanceId, accounts: new Map(accounts()) }]));
}

describe('SsmHostFleet.executeOnHosts: hosts with the same request share a command', () => {
  it('revokes on 120 hosts in 3 commands of at most 50, outcomes read with ListCommandInvocations (no call per host)', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => id(i));
    const hosts = modelHosts(ids, () => [
      ['leaver', { keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`], locked: false }],
      ['ec2-user', { keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`, `ssh-ed25519 ${ed('deploy')} deploy`], locked: false }],
    ]);
    const h = await startSsmHarness({ instances: ids.map((instanceId) => createDummyInstance({ instanceId })), runner: new ModelHostRunner(hosts) });
    try {
      const byHost = new Map(ids.map((i) => [i, [removeKey(i, 'leaver', LEAVER), removeKey(i, 'ec2-user', LEAVER), lockUser(i, 'leaver')]]));
      const outcomes = await h.hostFleet().executeOnHosts(byHost);
      expect([...byHost.values()].flat().map((a) => outcomes.get(a.id)?.result)).toEqual(Array(360).fill('ok'));
      expect(h.ssm.commands().map((c) => [c.documentName, c.instanceIds.length])).toEqual([
        ['WardenRevoke', 50],
        ['WardenRevoke', 50],
        ['WardenRevoke', 20],
      ]);
      for (const host of hosts.values()) {
        expect(host.accounts.get('leaver')).toEqual({ keys: [], locked: true });
        expect(host.accounts.get('ec2-user')?.keys).toEqual([`ssh-ed25519 ${ed('deploy')} deploy`]);
      }
      const calls = h.calls();
      expect(calls['GetCommandInvocation'] ?? 0).toBe(0);
      expect(calls['SendCommand']).toBe(3);
      expect(calls['ListCommandInvocations']).toBe(3);
    } finally {
      await h.close();
    }
  });

  it('never merges different requests: an account is locked only on the host it was planned for', async () => {
    const [x, y] = [id(1), id(2)];
    const hosts = modelHosts([x, y], () => [
      ['bob', { keys: [], locked: false }],
      ['carol', { keys: [], locked: false }],
    ]);
    const h = await startSsmHarness({ instances: [x, y].map((instanceId) => createDummyInstance({ instanceId })), runner: new ModelHostRunner(hosts) });
    try {
      const outcomes = await h.hostFleet().executeOnHosts(new Map([[x, [lockUser(x, 'bob')]], [y, [lockUser(y, 'carol')]]]));
      expect([...outcomes.values()].map((o) => o.result)).toEqual(['ok', 'ok']);
      expect(h.ssm.commands().map((c) => c.instanceIds)).toEqual(expect.arrayContaining([[x], [y]]));
      expect([hosts.get(x)?.accounts.get('bob')?.locked, hosts.get(x)?.accounts.get('carol')?.locked]).toEqual([true, false]);
      expect([hosts.get(y)?.accounts.get('bob')?.locked, hosts.get(y)?.accounts.get('carol')?.locked]).toEqual([false, true]);
    } finally {
      await h.close();
    }
  });

  it('splits a request too large for SSM’s 64 KB into commands run one after the other on the host', async () => {
    const x = id(7);
    // RSA-4096-sized bodies: about 38 fit beside the revoke document.
    const bodies = Array.from({ length: 90 }, () => `AAAAB3NzaC1yc2EAAAADAQABAAACAQ${randomBytes(510).toString('base64').replace(/=+$/, '')}`);
    const hosts = modelHosts([x], () => [['deploy', { keys: [...bodies.map((b, i) => `ssh-rsa ${b} key-${i}`), `ssh-ed25519 ${ed('stay')} stay`], locked: false }]]);
    const h = await startSsmHarness({ instances: [createDummyInstance({ instanceId: x })], runner: new ModelHostRunner(hosts) });
    try {
      const actions = [...bodies.map((b) => removeKey(x, 'deploy', b)), lockUser(x, 'deploy')];
      const outcomes = await h.hostFleet().executeOnHosts(new Map([[x, actions]]));
      expect(actions.map((a) => outcomes.get(a.id)?.result)).toEqual(Array(91).fill('ok'));
      expect(h.ssm.commands().length).toBeGreaterThanOrEqual(3);
      expect(hosts.get(x)?.accounts.get('deploy')).toEqual({ keys: [`ssh-ed25519 ${ed('stay')} stay`], locked: true });
    } finally {
      await h.close();
    }
  });

  it('runs nothing when the document in the account is not the one Warden ships: revoke fails, inventory is unreachable', async () => {
    const x = id(3);
    const hosts = modelHosts([x], () => [['leaver', { keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`], locked: false }]]);
    const h = await startSsmHarness({ instances: [createDummyInstance({ instanceId: x })], runner: new ModelHostRunner(hosts) });
    try {
      const docs = wardenDocuments(loadHostScripts());
      for (const document of Object.values(docs)) {
        await h.client.send(new UpdateDocumentCommand({ Name: document.name, Content: document.content.replace('"Warden (access-warden)', '"Swapped'), DocumentVersion: '$LATEST' }));
        await h.client.send(new UpdateDocumentDefaultVersionCommand({ Name: document.name, DocumentVersion: '2' }));
      }
      const fleet = h.hostFleet();
      const actions = [removeKey(x, 'leaver', LEAVER), lockUser(x, 'leaver')];
      const outcomes = await fleet.executeOnHosts(new Map([[x, actions]]));
      for (const a of actions) expect(outcomes.get(a.id)).toMatchObject({ result: 'failed', error: expect.stringMatching(/InvalidDocument.*hash/) as unknown as string });
      const read = await fleet.inventory();
      expect(read).toEqual([expect.objectContaining({ status: 'unreachable', error: expect.stringMatching(/InvalidDocument.*hash/) as unknown as string })]);
      expect(h.ssm.commands()).toEqual([]);
      expect(hosts.get(x)?.accounts.get('leaver')).toEqual({ keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`], locked: false });
      expect(DOCUMENT_NAMES).toEqual({ inventory: 'WardenInventory', revoke: 'WardenRevoke' });
    } finally {
      await h.close();
    }
  });
});
