/**
 * The one composition every entry point builds its object graph with (STYLE 12): the `warden` CLI, `warden serve` and
 * each Lambda handler hand it their clients and stores, and get the same roster source, account directories, host
 * fleet, anchors and use-case dependencies for the same config. It loads no Slack library and no SQLite: those belong to
 * the entry points that need them.
 */
import path from 'node:path';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ProgressEvent, ReconcileDeps } from '../app/reconcile';
import { departureOverlay, type OffboardingDeps } from '../app/offboarding';
import { accessPolicyOf, guardPolicyOf, ConfigError, type LoadedConfig } from '../config/load';
import type { AnchorSpec } from '../config/schema';
import type { AccountClients, AccountTarget } from '../adapters/aws/accounts';
import { IamAccountDirectory } from '../adapters/aws/iam/directory';
import { IdentityCenterDirectory } from '../adapters/aws/identity-center/directory';
import { S3RosterSource, parseS3Url } from '../adapters/aws/s3-roster';
import { stsSdk } from '../adapters/aws/sdk';
import { SsmHostFleet, type SsmHostFleetOptions } from '../adapters/aws/ssm/fleet';
import { s3OutputStore } from '../adapters/aws/ssm/run-command';
import { createAnchors } from '../adapters/evidence/anchor-config';
import type { HostScripts } from '../adapters/hosts/host-script-protocol';
import { FileRosterSource } from '../adapters/roster/file-roster';
import type { SlackWeb } from '../adapters/slack/web';
import type { Logger } from '../lib/logger';
import type { AccountDirectory, Clock, HostFleet, Notifier, RosterSource } from '../ports';
import type { DepartureNotifier } from '../ports/departures';
import type { AnchorSink } from '../ports/evidence';
import type { AwsClients } from './clients';
import { forwardOnlyAnchor, runScope } from './evidence';
import type { Stores } from './stores';
import { reviewedRevocationsFrom } from '../app/reviews/revocations';
import type { ReviewDeps } from '../app/reviews/deps';
import { reviewCron } from '../app/reviews/schedule';
import type { ReviewSchedule } from '../app/reviews/scheduled';
import { parseScope } from '../domain/reviews/holdings';
import type { ReviewMessenger } from '../ports/reviews';

export const silentNotifier: Notifier = { notify: async () => undefined };
export const silentAnnouncer: DepartureNotifier = { opened: async () => undefined, changed: async () => undefined };

export interface CompositionOptions {
  readonly clients: AwsClients;
  readonly stores: Stores;
  /** IAM clients per account (AssumeRole for role targets), built once per process. */
  readonly accounts: AccountClients;
  /** Replaces `accounts` for building each IAM client (tests); the composition destroys what it builds. */
  readonly iamClientFor?: (target: AccountTarget) => IAMClient;
  readonly clock: Clock;
  /** Run summaries and guard alerts (default: none). */
  readonly notifier?: Notifier;
  /** Departure threads (default: none). */
  readonly announcer?: DepartureNotifier;
  /** Where relative host script paths are read from (the Lambda bundle's `scripts/host`; default the package's). */
  readonly hostScripts?: HostScripts;
  readonly hostTiming?: Pick<SsmHostFleetOptions, 'poll' | 'deliveryTimeoutSeconds' | 'executionTimeoutSeconds'>;
  /**
   * Where SSM writes host command output: `config` (the CLI and `serve`: `hosts.outputBucket`), the Lambda stack's own
   * bucket (its role reads no other), or `none` (output too large for SSM is read in pages). Instances write the bucket
   * with their own roles, so a copy there is used only when the seal SSM itself reported matches it.
   */
  readonly hostOutputBucket: 'config' | 'none' | { readonly bucket: string };
  /** Anchors the environment adds to the config's `audit.anchors` (the Lambda stack's parameter and Object Lock bucket). */
  readonly extraAnchors?: readonly AnchorSpec[];
  /** The anchor a SQLite log gets when the config names none (a file beside it). */
  readonly defaultAnchors?: readonly AnchorSpec[];
  /** Several writers anchor one chain at once (fanned-out workers): never move an anchor backwards. */
  readonly forwardOnlyAnchors?: boolean;
  /** For a `kind: slack` anchor. */
  readonly slackWeb?: Pick<SlackWeb, 'postMessage'>;
  /** Wait between Identity Center status calls (the demo's sandbox answers at once); default 1 s. */
  readonly identityCenterPollMs?: number;
}

export interface ReconcileWiring {
  /** Read the hosts too (config `hosts`; default true). */
  readonly hosts?: boolean;
  /** Read and change Identity Center too (config `identityCenter`; default true). Fanned-out workers: only one does. */
  readonly identityCenter?: boolean;
  readonly logger?: Logger;
  readonly progress?: (event: ProgressEvent) => void;
  /** Overrides the composition's notifier for these deps (the Slack app's own). */
  readonly notifier?: Notifier;
}

const sameAnchor = (a: AnchorSpec, b: AnchorSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The object graph for one process: built once, per config version where the config matters. */
export class Composition {
  private readonly fleets = new WeakMap<LoadedConfig, HostFleet>();
  private readonly anchorSinks = new WeakMap<LoadedConfig, { sinks: readonly AnchorSink[]; skipped: readonly string[] }>();
  private readonly ownedIam: IAMClient[] = [];
  private readonly identityCenters = new WeakMap<LoadedConfig, IdentityCenterDirectory>();
  private callerAccount: Promise<string> | undefined;

  constructor(readonly options: CompositionOptions) {}

  get stores(): Stores {
    return this.options.stores;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** The roster: an `s3://bucket/key` object (read with the SDK's S3 client), or a file relative to the config. */
  rosterSource(loaded: LoadedConfig): RosterSource {
    const timezone = loaded.config.timezone;
    const location = parseS3Url(loaded.config.roster.path);
    return location !== undefined
      ? new S3RosterSource({ client: this.options.clients.s3, location, timezone })
      : new FileRosterSource({ path: loaded.rosterPath, timezone });
  }

  /** The IAM directory for one account, over that account's (cached) IAM client. */
  directoryFor(loaded: LoadedConfig, target: AccountTarget, logger?: Logger): IamAccountDirectory {
    const policy = accessPolicyOf(loaded.config);
    return new IamAccountDirectory({
      client: this.iamFor(target),
      ...(target.id !== undefined ? { account: target.id } : {}),
      policy: { denyAllPolicyName: policy.denyAllPolicyName, identity: policy.identity },
      clock: this.options.clock,
      ...(logger !== undefined ? { log: logger } : {}),
    });
  }

  private iamFor(target: AccountTarget): IAMClient {
    const make = this.options.iamClientFor;
    if (make === undefined) return this.options.accounts.iamFor(target);
    const client = make(target);
    this.ownedIam.push(client);
    return client;
  }

  /**
   * The SSM host fleet for config `hosts` (undefined without it), one per config version. The hosts are in the account
   * of the process's own credentials: the configured account without a role, else whatever STS says.
   */
  hostFleetFor(loaded: LoadedConfig): HostFleet | undefined {
    const hosts = loaded.config.hosts;
    if (hosts === undefined) return undefined;
    const cached = this.fleets.get(loaded);
    if (cached !== undefined) return cached;
    if (hosts.targets.length === 0 && hosts.instanceIds.length === 0) {
      throw new ConfigError('hosts: give targets or instanceIds (or leave the hosts block out to skip hosts)');
    }
    const { clients, hostScripts, hostTiming } = this.options;
    const choice = this.options.hostOutputBucket;
    const bucket = choice === 'config' ? hosts.outputBucket : choice === 'none' ? undefined : choice.bucket;
    const fleet = new SsmHostFleet({
      client: clients.hostSsm ?? clients.ssm,
      account: loaded.config.accounts.find((a) => a.roleArn === undefined)?.id ?? (() => this.ownAccount()),
      targets: hosts.targets,
      instanceIds: hosts.instanceIds,
      maxConcurrency: hosts.maxConcurrency,
      killSessions: hosts.killSessions,
      ...(hostScripts !== undefined ? { scripts: hostScripts } : {}),
      ...(bucket !== undefined ? { output: { bucket, keyPrefix: 'warden', store: s3OutputStore(clients.s3) } } : {}),
      ...hostTiming,
    });
    this.fleets.set(loaded, fleet);
    return fleet;
  }

  /** IAM Identity Center for config `identityCenter` (undefined without it), over clients in the instance's region. */
  identityCenterFor(loaded: LoadedConfig): IdentityCenterDirectory | undefined {
    const ic = loaded.config.identityCenter;
    const clientsFor = this.options.clients.identityCenter;
    if (ic === undefined || clientsFor === undefined) return undefined;
    const cached = this.identityCenters.get(loaded);
    if (cached !== undefined) return cached;
    const role = ic.roleArn !== undefined ? { roleArn: ic.roleArn, ...(ic.externalId !== undefined ? { externalId: ic.externalId } : {}) } : undefined;
    const directory = new IdentityCenterDirectory({
      ...clientsFor(ic.region, role),
      instanceArn: ic.instanceArn,
      identityStoreId: ic.identityStoreId,
      source: ic.source,
      ...(this.options.identityCenterPollMs !== undefined ? { pollMs: this.options.identityCenterPollMs } : {}),
    });
    this.identityCenters.set(loaded, directory);
    return directory;
  }

  /** The account of the process's own credentials, asked of STS once (a failure is not remembered). */
  ownAccount(): Promise<string> {
    this.callerAccount ??= this.options.clients.sts.send(new (stsSdk().GetCallerIdentityCommand)({})).then(
      (out) => {
        if (out.Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
        return out.Account;
      },
      (error: unknown) => {
        this.callerAccount = undefined;
        throw error;
      },
    );
    return this.callerAccount;
  }

  /**
   * Where the chain head goes after each run: the environment's anchors, then the config's `audit.anchors` (else the
   * default beside a SQLite log). What cannot be wired here (Slack without a client) is reported in `skipped`.
   */
  anchorsFor(loaded: LoadedConfig): { readonly sinks: readonly AnchorSink[]; readonly skipped: readonly string[] } {
    const cached = this.anchorSinks.get(loaded);
    if (cached !== undefined) return cached;
    const { clients, slackWeb } = this.options;
    const configured = loaded.config.audit.anchors ?? this.options.defaultAnchors ?? [];
    const specs: AnchorSpec[] = [];
    for (const spec of [...(this.options.extraAnchors ?? []), ...configured]) if (!specs.some((s) => sameAnchor(s, spec))) specs.push(spec);
    const wiring = createAnchors(specs, {
      baseDir: path.dirname(loaded.file),
      ssm: () => clients.ssm,
      s3: () => clients.s3,
      clock: this.options.clock,
      ...(slackWeb !== undefined
        ? { slack: { web: slackWeb, ...(loaded.config.slack !== undefined ? { defaultChannel: loaded.config.slack.channel } : {}) } }
        : {}),
    });
    const forwardOnly = (sink: AnchorSink): AnchorSink => {
      const store = wiring.stores.find((s) => s === sink);
      return store !== undefined ? forwardOnlyAnchor(store) : sink;
    };
    const sinks = this.options.forwardOnlyAnchors === true ? wiring.sinks.map(forwardOnly) : wiring.sinks;
    const result = { sinks, skipped: wiring.skipped.map((what) => `audit anchor not written here: ${what}`) };
    this.anchorSinks.set(loaded, result);
    return result;
  }

  /** The reconcile use case's dependencies over the given accounts, and the hosts unless `hosts: false`. */
  reconcileDeps(loaded: LoadedConfig, directories: readonly AccountDirectory[], wiring: ReconcileWiring = {}): ReconcileDeps {
    const { stores } = this.options;
    const hosts = wiring.hosts === false ? undefined : this.hostFleetFor(loaded);
    const configured = loaded.config.hosts?.outputBucket;
    const choice = this.options.hostOutputBucket;
    if (hosts !== undefined && choice !== 'config' && configured !== undefined && (choice === 'none' || choice.bucket !== configured)) {
      wiring.logger?.warn(
        choice === 'none'
          ? 'hosts.outputBucket is not used on Lambda (the function role reads no other bucket): host output is read in pages'
          : `hosts.outputBucket is not used on Lambda: host output goes to the stack's bucket ${choice.bucket}`,
      );
    }
    const identityCenter = wiring.identityCenter === false ? undefined : this.identityCenterFor(loaded);
    const snapshots = stores.scopedSnapshots?.(runScope(directories, hosts !== undefined, identityCenter !== undefined)) ?? stores.snapshots;
    const anchors = this.anchorsFor(loaded).sinks;
    const hostUserMap = loaded.config.hosts?.userMap;
    const progress = wiring.progress ?? (wiring.logger !== undefined ? progressLogger(wiring.logger) : undefined);
    return {
      roster: this.rosterSource(loaded),
      ...(stores.departures !== undefined ? { overlayRoster: departureOverlay(stores.departures) } : {}),
      directories,
      ...(hosts !== undefined ? { hosts } : {}),
      ...(identityCenter !== undefined ? { identityCenter } : {}),
      ...(snapshots !== undefined || anchors.length > 0
        ? {
            evidence: {
              ...(snapshots !== undefined ? { snapshots } : {}),
              ...(anchors.length > 0 ? { anchors } : {}),
              ...(hostUserMap !== undefined ? { hostUserMap } : {}),
            },
          }
        : {}),
      audit: stores.audit,
      runs: stores.runs,
      notifier: wiring.notifier ?? this.options.notifier ?? silentNotifier,
      clock: this.options.clock,
      policy: accessPolicyOf(loaded.config),
      guard: guardPolicyOf(loaded.config),
      ...(progress !== undefined ? { progress } : {}),
      ...(stores.reviews !== undefined ? { reviewedRevocations: reviewedRevocationsFrom(stores.reviews) } : {}),
    };
  }

  /** The offboarding use cases' dependencies, when departures are wired (undefined without a departure store). */
  offboardingDeps(
    reconcile: ReconcileDeps,
    loaded: LoadedConfig,
    options: { readonly announcer?: DepartureNotifier; readonly log?: { warn(message: string): void } } = {},
  ): OffboardingDeps | undefined {
    const { departures, snapshots } = this.options.stores;
    if (departures === undefined) return undefined;
    return {
      reconcile,
      departures,
      announcer: options.announcer ?? this.options.announcer ?? silentAnnouncer,
      secondApproverFor: loaded.config.slack?.secondApproverFor ?? 'admins',
      // Auditors' questions read every account's snapshots, not the scoped view one run saves through.
      ...(snapshots !== undefined ? { snapshots } : {}),
      ...(options.log !== undefined ? { log: options.log } : {}),
    };
  }

  /** The access review use cases' dependencies, when a campaign store is wired (config `reviews` for the clock and defaults). */
  reviewDeps(
    reconcile: ReconcileDeps,
    loaded: LoadedConfig,
    options: { readonly messenger?: ReviewMessenger; readonly log?: { warn(message: string): void } } = {},
  ): ReviewDeps | undefined {
    const campaigns = this.options.stores.reviews;
    if (campaigns === undefined) return undefined;
    const { remindAfterDays, escalateAfterDays, dueAfterDays, undecided } = loaded.config.reviews;
    const schedule = this.reviewSchedule(loaded);
    return {
      reconcile,
      campaigns,
      settings: { remindAfterDays, escalateAfterDays, dueAfterDays, undecided },
      ...(schedule !== undefined ? { schedule } : {}),
      ...(options.messenger !== undefined ? { messenger: options.messenger } : {}),
      ...(options.log !== undefined ? { log: options.log } : {}),
    };
  }

  /** `reviews.schedule` as the review clock reads it (a cron expression in the config's zone, over `reviews.scope`). */
  reviewSchedule(loaded: LoadedConfig): ReviewSchedule | undefined {
    const { schedule, scope } = loaded.config.reviews;
    const parsed = parseScope(scope);
    return schedule === undefined || parsed === undefined ? undefined : { cron: reviewCron(schedule), timezone: loaded.config.timezone, scope: parsed };
  }

  /** Destroys the IAM clients built through `iamClientFor` (the others belong to whoever built them). */
  destroy(): void {
    for (const client of this.ownedIam.splice(0)) client.destroy();
  }
}

/** Reconcile progress as log lines (phases and per-account reads at info; each action at debug, the audit log has them all). */
export function progressLogger(logger: Logger): (event: ProgressEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'phase':
        logger.info(`phase ${event.phase}`, { phase: event.phase });
        return;
      case 'account-read':
        logger.info('account read', { account: event.account, users: event.users });
        return;
      case 'action-done':
        logger.debug('action done', {
          done: event.done,
          total: event.total,
          action: event.action.kind,
          account: event.action.account,
          result: event.outcome.result,
        });
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  };
}
