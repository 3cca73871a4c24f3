import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { MemoryCampaignStore } from '../../src/adapters/reviews/memory-campaign-store';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import type { ReconcileDeps } from '../../src/app/reconcile';
import type { ReviewDeps } from '../../src/app/reviews/deps';
import type { Person } from '../../src/domain/roster';
import type { ReviewMessenger } from '../../src/ports/reviews';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';
import { ACCOUNT, NOW, createDummyPerson, createDummyPolicy, createDummyRoster } from '../fixtures/builders';

/** A clock the test moves (days and milliseconds), starting at NOW. */
export const testClock = () => {
  let now = NOW.getTime();
  return { now: () => new Date(now), set: (at: Date) => (now = at.getTime()) };
};

/**
 * A small company: Mona (manager, E5, U0MONA) manages Carol (E7, admin: developers + admins, one key) and Dave (E8,
 * engineer); Olga (E9) has no manager; Hal (E1) is HR.
 */
export function reviewCompany(): Person[] {
  return [
    createDummyPerson({ employeeId: 'E5', email: 'mona@example.com', fullName: 'Mona Manager', role: 'admin', slackId: 'U0MONA', awsUsernames: ['mona'], department: 'Engineering' }),
    createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', fullName: 'Carol <Dev>', role: 'admin', slackId: 'U0CAROL', managerEmail: 'mona@example.com', awsUsernames: ['carol'], department: 'Engineering' }),
    createDummyPerson({ employeeId: 'E8', email: 'dave@example.com', fullName: 'Dave', role: 'engineer', slackId: 'U0DAVE', managerEmail: 'mona@example.com', awsUsernames: ['dave'], department: 'Engineering' }),
    createDummyPerson({ employeeId: 'E9', email: 'olga@example.com', fullName: 'Olga', role: 'engineer', slackId: 'U0OLGA', awsUsernames: ['olga'], department: 'Sales' }),
    createDummyPerson({ employeeId: 'E1', email: 'hal@example.com', fullName: 'Hal HR', slackId: 'U0HR1', department: 'People' }),
  ];
}

export function reviewDirectory(): MemoryAccountDirectory {
  return new MemoryAccountDirectory(
    ACCOUNT,
    [
      { userName: 'mona', detail: leaverDetail('AKIAMONA000000000001', { loginProfile: null, groups: ['developers', 'admins'] }) },
      { userName: 'carol', detail: leaverDetail('AKIACAROL00000000001', { loginProfile: null, groups: ['developers', 'admins'] }) },
      { userName: 'dave', detail: leaverDetail('AKIADAVE000000000001', { loginProfile: null, accessKeys: [], groups: ['developers'] }) },
      { userName: 'olga', detail: leaverDetail('AKIAOLGA000000000001', { loginProfile: null, accessKeys: [], groups: ['developers'] }) },
    ],
    [
      { name: 'developers', attachedPolicies: [], inlinePolicies: [] },
      { name: 'admins', attachedPolicies: [], inlinePolicies: [] },
    ],
  );
}

export interface RecordedMessage {
  readonly kind: 'send' | 'update' | 'remind' | 'escalate' | 'closed';
  readonly packetId?: string;
  readonly to?: string;
}

/** A messenger that records what it was asked to say (Slack is tested with the fake Web API elsewhere). */
export function recordingMessenger(slackIds: Readonly<Record<string, string>>): ReviewMessenger & { readonly said: RecordedMessage[] } {
  const said: RecordedMessage[] = [];
  let ts = 0;
  return {
    said,
    findReviewer: async (email) => slackIds[email],
    send: async ({ packet }) => {
      said.push({ kind: 'send', packetId: packet.id, to: packet.reviewer.kind === 'manager' ? (packet.reviewer.slackId ?? '?') : 'hr' });
      ts += 1;
      return { channel: 'D0REVIEW', ts: `1700000000.${String(ts).padStart(6, '0')}` };
    },
    update: async ({ packet }) => void said.push({ kind: 'update', packetId: packet.id }),
    remind: async ({ packet }) => void said.push({ kind: 'remind', packetId: packet.id }),
    escalate: async ({ packet }) => void said.push({ kind: 'escalate', packetId: packet.id }),
    closed: async () => void said.push({ kind: 'closed' }),
  };
}

export function reviewDeps(options: { readonly undecided?: 'keep' | 'revoke'; readonly people?: Person[] } = {}) {
  const clock = testClock();
  const directory = reviewDirectory();
  const audit = new MemoryAuditLog({ clock });
  const campaigns = new MemoryCampaignStore();
  const messenger = recordingMessenger({ 'mona@example.com': 'U0MONA' });
  const reconcile: ReconcileDeps = {
    roster: { load: async () => createDummyRoster(options.people ?? reviewCompany()) },
    directories: [directory],
    audit,
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock,
    policy: createDummyPolicy(),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
  };
  const deps: ReviewDeps = {
    reconcile,
    campaigns,
    messenger,
    settings: { remindAfterDays: 3, escalateAfterDays: 7, dueAfterDays: 14, undecided: options.undecided ?? 'keep' },
    newId: () => 'rev-test',
  };
  return { deps, clock, directory, audit, campaigns, messenger };
}
