import type { Action } from '../../../domain/plan';
import type { ActionOutcome } from '../../../ports';
import { summariseRevoke, type RevokeEvent, type RevokeReport, type RevokeRequest } from '../../hosts/host-script-protocol';

const errorsOf = (report: RevokeReport, osUser?: string): string[] => {
  const messages = report.events.flatMap((e) =>
    e.kind === 'error' && (osUser === undefined || e.osUser === undefined || e.osUser === osUser)
      ? [`${e.file !== undefined ? `${e.file}: ` : ''}${e.message}`]
      : [],
  );
  return [...messages, ...report.problems];
};

function sessionsOf(events: readonly RevokeEvent[], osUser: string): string | undefined {
  for (const e of events) {
    if (!('osUser' in e) || e.osUser !== osUser) continue;
    if (e.kind === 'killed') return 'ended';
    if (e.kind === 'no-sessions') return 'none open';
    if (e.kind === 'kill-skipped') return `not ended: ${e.reason}`;
  }
  return undefined;
}

/**
 * Each host action's outcome from one revoke.sh run on its host: a key is ok once the script removed it or proved it
 * absent from every file; an account once locked (or already locked); a missing account is skipped; anything the script
 * could not prove (unreadable file, truncated output, lock failure) is a retryable failure with the script's reason.
 */
export function revokeOutcomes(report: RevokeReport, request: RevokeRequest, actions: readonly Action[]): Map<string, ActionOutcome> {
  const summary = summariseRevoke(report, request);
  const bodies = [...new Set(request.keyBodies)];
  const outcomes = new Map<string, ActionOutcome>();
  for (const action of actions) {
    switch (action.kind) {
      case 'remove-host-key': {
        const { osUser, keyBody, keyType, comment } = action.target;
        const state = summary.keys.get(keyBody) ?? 'unverified';
        const index = bodies.indexOf(keyBody) + 1;
        const files = report.events.flatMap((e) => (e.kind === 'removed' && e.keyIndex === index && e.osUser === osUser ? [e.file] : []));
        if (state === 'unverified') {
          const why = errorsOf(report);
          outcomes.set(action.id, { result: 'failed', error: `key not proven gone: ${why.length > 0 ? why.join('; ') : 'no result for it'}`, retryable: true });
        } else {
          outcomes.set(action.id, {
            result: 'ok',
            before: { keyType, comment, files },
            after: files.length > 0 ? { removedFrom: files } : { alreadyAbsent: true },
          });
        }
        break;
      }
      case 'lock-host-user': {
        const { osUser, instanceId } = action.target;
        const state = summary.users.get(osUser) ?? 'failed';
        const sessions = sessionsOf(report.events, osUser);
        const locked = report.events.find((e): e is Extract<RevokeEvent, { kind: 'locked' }> => e.kind === 'locked' && e.osUser === osUser);
        switch (state) {
          case 'locked':
          case 'already-locked':
            outcomes.set(action.id, {
              result: 'ok',
              after: {
                locked: true,
                ...(state === 'already-locked' ? { already: true } : {}),
                ...(locked !== undefined ? { method: locked.method } : {}),
                ...(sessions !== undefined ? { sessions } : {}),
              },
            });
            break;
          case 'no-user':
            outcomes.set(action.id, { result: 'skipped', note: `no account ${osUser} on ${instanceId}` });
            break;
          case 'failed': {
            const why = errorsOf(report, osUser);
            outcomes.set(action.id, { result: 'failed', error: `account not locked: ${why.length > 0 ? why.join('; ') : 'no result for it'}`, retryable: true });
            break;
          }
        }
        break;
      }
      default:
        outcomes.set(action.id, { result: 'failed', error: `${action.kind} is an IAM action, not a host action`, retryable: false });
    }
  }
  return outcomes;
}
