import type { IdentityCenterPlane } from '../../src/ports/identity-center';
import { LogLevel, type Logger } from '@slack/bolt';
import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { MemoryDepartureStore } from '../../src/adapters/departures/memory-departure-store';
import { createSlackApp, type SlackReceiverMode, type WardenSlackApp } from '../../src/adapters/slack/app';
import { SlackNotifier } from '../../src/adapters/slack/notifier';
import { WebClientSlackWeb } from '../../src/adapters/slack/web';
import type { SlackReviewDeps } from '../../src/adapters/slack/review-jobs';
import type { WorkQueue } from '../../src/adapters/slack/work-queue';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import type { OffboardingDeps, SecondApproverRule } from '../../src/app/offboarding';
import type { ReconcileDeps } from '../../src/app/reconcile';
import type { AccessPolicy, GuardPolicy } from '../../src/domain/policy';
import type { Person, Roster } from '../../src/domain/roster';
import type { AccountDirectory, AuditEntry, Clock, RosterSource } from '../../src/ports';
import type { SnapshotStore } from '../../src/ports/evidence';
import { FakeSlackApi, type FakeSlackUser } from '../fakes/fake-slack-api';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';
import { createDummyViewSubmission, offboardFormValues, sendToSlackApp, type SendOptions, type SlackDelivery } from '../fakes/slack-requests';
import { ACCOUNT, createDummyGuardPolicy, createDummyPerson, createDummyPolicy, createDummyRoster } from '../fixtures/builders';

export const SIGNING_SECRET = 'test-signing-secret-8f2c1d';
export const BOT_TOKEN = 'xoxb-test-bot-token-5e9a';
export const CHANNEL = 'C0WARDEN';
export const HR1 = 'U0HR1';
/** In the HR user group only (not listed by id). */
export const HR2 = 'U0HR2';
export const AUDITOR = 'U0AUD1';
export const OUTSIDER = 'U0RANDOM';

/** A clock at real time that tests can move forward (request timestamps stay on the real clock). */
export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export const movableClock = (): MovableClock => {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => (offset += ms) };
};

/** Records everything logged, so tests can check nothing secret is. */
export function recordingLogger(lines: string[]): Logger {
  const record = (level: string) => (...msg: unknown[]) => {
    lines.push(`${level} ${msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ')}`);
  };
  return {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: () => undefined,
  };
}

/** Ten people, so one departure never looks like a roster collapse to the guard. */
export function createDummyStaff(extra: readonly Person[] = []): Person[] {
  const base = [
    createDummyPerson({ employeeId: 'E1', email: 'alice@example.com', fullName: 'Alice <Admin> & Co', slackId: 'U0ALICE', awsUsernames: ['alice'] }),
    createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', fullName: 'Bob Builder', slackId: 'U0BOB', awsUsernames: ['bob'], role: 'admin' }),
    createDummyPerson({ employeeId: 'E3', email: 'ops@example.com', fullName: 'Ops On-call', awsUsernames: ['break-glass-admin'] }),
  ];
  for (let i = 4; i <= 10; i += 1) base.push(createDummyPerson({ employeeId: `E${i}`, email: `person${i}@example.com`, fullName: `Person ${i}` }));
  return [...base, ...extra];
}

export function createDummyDirectory(): MemoryAccountDirectory {
  return new MemoryAccountDirectory(
    ACCOUNT,
    [
      { userName: 'alice', detail: leaverDetail('AKIAALICE00000000001') },
      {
        userName: 'bob',
        detail: leaverDetail('AKIABOB0000000000001', {
          groups: ['developers', 'admins'],
        }),
      },
      { userName: 'break-glass-admin', detail: leaverDetail('AKIABREAKGLASS000001', { groups: [] }) },
    ],
    [
      { name: 'developers', attachedPolicies: [], inlinePolicies: [] },
      { name: 'admins', attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }], inlinePolicies: [] },
    ],
  );
}

export interface HarnessOptions {
  readonly roster?: Roster;
  /** A real roster source (file); wins over `roster`. */
  readonly rosterSource?: RosterSource;
  readonly directories?: readonly AccountDirectory[];
  readonly policy?: AccessPolicy;
  readonly secondApproverFor?: SecondApproverRule;
  readonly guard?: GuardPolicy;
  readonly mode?: SlackReceiverMode;
  readonly queue?: WorkQueue;
  readonly users?: Readonly<Record<string, FakeSlackUser>>;
  /** Access snapshots for `/access history` and `/access at` (none by default, as on Lambda). */
  readonly snapshots?: SnapshotStore;
  /** The audit log's backing array, for tests that tamper with stored entries. */
  readonly auditEntries?: AuditEntry[];
  /** IAM Identity Center (none by default). */
  readonly identityCenter?: IdentityCenterPlane;
  /** Access reviews over the harness's reconcile deps (none by default). */
  readonly reviews?: (reconcile: ReconcileDeps) => SlackReviewDeps;
}

export interface Harness {
  readonly slack: FakeSlackApi;
  readonly app: WardenSlackApp;
  readonly audit: MemoryAuditLog;
  readonly departures: MemoryDepartureStore;
  readonly runs: MemoryRunStateStore;
  readonly clock: MovableClock;
  readonly offboarding: OffboardingDeps;
  readonly notifier: SlackNotifier;
  readonly logs: string[];
  readonly url: string;
  /** Sends a signed delivery and waits for the work it handed off. */
  send(delivery: SlackDelivery, options?: Partial<SendOptions>): Promise<{ status: number; text: string; json: unknown; ms: number }>;
  close(): Promise<void>;
}

/** The real Bolt app on an HTTP receiver at 127.0.0.1:0, a fake Slack API, memory stores and the real use cases. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = movableClock();
  const logs: string[] = [];
  const slack = await new FakeSlackApi({
    users: {
      U0ALICE: { email: 'alice@example.com', tz: 'Europe/Berlin' },
      U0NOTONROSTER: { email: 'stranger@example.com' },
      ...options.users,
    },
    userGroups: { S0HR: [HR1, HR2], S0AUDIT: [AUDITOR] },
  }).start();
  const audit = new MemoryAuditLog({ clock, ...(options.auditEntries !== undefined ? { entries: options.auditEntries } : {}) });
  const runs = new MemoryRunStateStore();
  const departures = new MemoryDepartureStore();
  const web = WebClientSlackWeb.create({ token: BOT_TOKEN, apiUrl: slack.apiUrl, clientOptions: { retryConfig: { retries: 0 } } });
  const notifier = new SlackNotifier({ web, channel: CHANNEL, clock, slaHours: 24 });
  const roster = options.roster ?? createDummyRoster(createDummyStaff());
  const reconcile: ReconcileDeps = {
    roster: options.rosterSource ?? { load: async () => roster },
    directories: options.directories ?? [createDummyDirectory()],
    ...(options.identityCenter !== undefined ? { identityCenter: options.identityCenter } : {}),
    audit,
    runs,
    notifier,
    clock,
    policy: options.policy ?? createDummyPolicy(),
    guard: options.guard ?? createDummyGuardPolicy(),
  };
  const offboarding: OffboardingDeps = {
    reconcile,
    departures,
    announcer: notifier,
    secondApproverFor: options.secondApproverFor ?? 'admins',
    log: { warn: (message) => logs.push(`warn ${message}`) },
    ...(options.snapshots !== undefined ? { snapshots: options.snapshots } : {}),
  };
  const app = await createSlackApp({
    mode: options.mode ?? { kind: 'http', signingSecret: SIGNING_SECRET },
    botToken: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    config: { channel: CHANNEL, hr: { userGroups: ['S0HR'], users: [HR1] }, auditors: { userGroups: ['S0AUDIT'], users: [] }, secondApproverFor: offboarding.secondApproverFor },
    timezone: 'UTC',
    offboarding,
    logger: recordingLogger(logs),
    clientOptions: { retryConfig: { retries: 0 } },
    ...(options.queue !== undefined ? { queue: options.queue } : {}),
    ...(options.reviews !== undefined ? { reviews: options.reviews(reconcile) } : {}),
  });
  const { port } = await app.start({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port ?? 0}/slack/events`;
  return {
    slack,
    app,
    audit,
    departures,
    runs,
    clock,
    offboarding,
    notifier,
    logs,
    url,
    async send(delivery, sendOptions = {}) {
      const started = Date.now();
      const result = await sendToSlackApp(url, delivery, { secret: SIGNING_SECRET, ...sendOptions });
      const ms = Date.now() - started;
      await app.idle();
      return { ...result, ms };
    },
    async close() {
      await app.stop();
      await slack.close();
    },
  };
}

/** The view Warden last sent to Slack with `callback_id` (from views.open / views.update). */
export function lastView(slack: FakeSlackApi, callbackId?: string): Record<string, unknown> | undefined {
  const views = slack.calls
    .filter((c) => c.method === 'views.open' || c.method === 'views.update')
    .map((c) => c.args['view'] as Record<string, unknown>)
    .filter((v) => callbackId === undefined || v['callback_id'] === callbackId);
  return views.at(-1);
}

/** All mrkdwn/plain text in a list of blocks, for assertions. */
export function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

export interface OffboardInput {
  readonly slackUser?: string;
  readonly email?: string;
  readonly date?: string;
  readonly time?: string;
  readonly timezone?: string;
  readonly reason?: string;
  readonly notes?: string;
}

/** HR submits the `/offboard` form; returns Slack's answer (the ack body) and the preview view Warden then showed. */
export async function submitOffboardForm(h: Harness, user: string, input: OffboardInput, viewId = 'VOFFBOARD1') {
  const submitted = await h.send(
    createDummyViewSubmission({ user, callbackId: 'warden_offboard', viewId, values: offboardFormValues({ reason: 'resignation', ...input }) }),
  );
  const preview = h.slack
    .callsTo('views.update')
    .filter((c) => c.args['view_id'] === viewId)
    .map((c) => c.args['view'] as Record<string, unknown>)
    .at(-1);
  return { submitted, preview };
}

/** HR confirms a preview (the confirm view carries the draft in private_metadata). */
export function confirmDelivery(user: string, preview: Record<string, unknown> | undefined, viewId = 'VOFFBOARD1', triggerId?: string) {
  return createDummyViewSubmission({
    user,
    callbackId: 'warden_offboard_confirm',
    viewId,
    privateMetadata: String(preview?.['private_metadata'] ?? ''),
    ...(triggerId !== undefined ? { triggerId } : {}),
  });
}
