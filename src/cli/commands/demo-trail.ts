import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailSource } from '../../adapters/aws/cloudtrail';
import { MemoryTrailCursorStore } from '../../adapters/state/trail-cursors';
import type { ApplyReport } from '../../app/reconcile';
import { pollTrail } from '../../app/trail/poll';
import { scanPostRevocationUse } from '../../app/trail/post-revocation';
import { respondToTrailEvents } from '../../app/trail/respond';
import { wardenActors } from '../../domain/trail';
import type { Notice } from '../../ports';
import type { Runtime } from '../../runtime/compose';
import type { RunningSandbox } from '../../sandbox/server';
import { terminalSafe } from '../../domain/terminal-text';

const OTHER_ADMIN = 'it-admin';
const OTHER_ADMIN_KEY = 'AKIADEMOITADMIN00001';

/**
 * The demo's CloudTrail step (issue 15): another administrator re-activates a leaver's access key with their own key, the
 * leaver uses it, and Warden's poll of the sandbox's CloudTrail undoes it, names the actor, and reports the leaver's call
 * made after revocation. Returns whether all of that happened.
 */
export async function demoAccessGivenBack(
  out: NodeJS.WritableStream,
  sandbox: RunningSandbox,
  runtime: Runtime,
  report: ApplyReport,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
): Promise<boolean> {
  const closed = report.results.find((r) => r.action.kind === 'deactivate-access-key' && r.outcome.result === 'ok');
  if (closed === undefined || closed.action.kind !== 'deactivate-access-key') {
    out.write('No access key was deactivated in this run: nothing to give back.\n');
    return true;
  }
  const { account, userName } = closed.action;
  const keyId = closed.action.target.accessKeyId;
  const warden = sandbox.state.resolveCaller(credentials.accessKeyId);
  sandbox.state.addUser(account, { userName: OTHER_ADMIN, tags: {}, accessKeys: [{ id: OTHER_ADMIN_KEY, status: 'Active' }] });
  const endpoint = { endpoint: sandbox.url, region: 'us-east-1' };
  const admin = new IAMClient({ ...endpoint, credentials: { accessKeyId: OTHER_ADMIN_KEY, secretAccessKey: 'demo-only' } });
  const leaver = new STSClient({ ...endpoint, credentials: { accessKeyId: keyId, secretAccessKey: 'demo-only' }, maxAttempts: 1 });
  const trail = new CloudTrailClient({ ...endpoint, credentials });
  const notices: Notice[] = [];
  const deps = { ...runtime.deps, notifier: { notify: async (notice: Notice) => void notices.push(notice) } };
  try {
    out.write(`${OTHER_ADMIN} re-activates ${userName}'s access key ${keyId} with their own key; ${userName} calls sts:GetCallerIdentity with it.\n`);
    await admin.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: keyId, Status: 'Active' }));
    await leaver.send(new GetCallerIdentityCommand({}));
    const policy = { denyAllPolicyName: runtime.loaded.config.denyAllPolicyName, isWarden: wardenActors(warden.ok ? [warden.value.arn] : []) };
    const sources = [new CloudTrailSource({ client: trail, account })];
    await pollTrail({ sources, cursors: new MemoryTrailCursorStore(), clock: runtime.deps.clock, respond: (events) => respondToTrailEvents({ reconcile: deps, policy }, events) });
    const alert = notices.find((n): n is Extract<Notice, { kind: 'access-restored' }> => n.kind === 'access-restored');
    for (const e of alert?.events ?? []) {
      out.write(`CloudTrail: ${terminalSafe(e.event.eventName)} by ${terminalSafe(e.event.actor.arn ?? '?')} at ${e.event.eventTime.toISOString()} from ${terminalSafe(e.event.sourceIp)}: ${terminalSafe(e.what)}\n`);
    }
    for (const u of alert?.undone ?? []) out.write(`Warden undid: ${u.kind} on ${u.account}/${u.userName}: ${u.result}\n`);
    out.write(`Verified: ${alert?.verified === true ? 'no access left' : 'NOT verified'}\n`);
    const scan = await scanPostRevocationUse({ audit: runtime.audit, sources, notifier: deps.notifier, clock: runtime.deps.clock, slaHours: runtime.loaded.config.slaHours });
    for (const f of scan.findings) {
      out.write(`[high] post-revocation use by ${f.person}: ${f.event.eventName} at ${f.event.eventTime.toISOString()} from ${terminalSafe(f.event.sourceIp)} with ${f.event.actor.accessKeyId ?? '?'}\n`);
    }
    const key = sandbox.state.user(account, userName)?.accessKeys.find((k) => k.id === keyId);
    return alert?.verified === true && key?.status === 'Inactive' && scan.findings.length > 0;
  } finally {
    admin.destroy();
    leaver.destroy();
    trail.destroy();
  }
}
