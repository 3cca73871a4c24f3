import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AnchorSpec } from '../../config/schema';
import type { SlackWeb } from '../slack/web';
import type { AnchorSink, AnchorStore } from '../../ports/evidence';
import { systemClock, type Clock } from '../../ports';
import { FileAnchorStore } from './file-anchor-store';
import { SlackAnchorSink } from './slack-anchor-sink';
import { SsmAnchorStore } from './ssm-anchor-store';
import { S3AnchorStore } from './s3-anchor-store';

export type { AnchorSpec } from '../../config/schema';

/** The file anchor used when the config names none and the audit log is a SQLite file. */
export const defaultFileAnchorPath = (sqlitePath: string): string => `${sqlitePath}.anchor.json`;

export interface AnchorClients {
  /** Folder relative file paths are resolved against (the config file's). */
  readonly baseDir: string;
  /** Built lazily, only when an SSM anchor is configured. */
  readonly ssm?: () => SSMClient;
  /** Built lazily, only when an S3 anchor is configured. */
  readonly s3?: () => S3Client;
  readonly slack?: { readonly web: Pick<SlackWeb, 'postMessage'>; readonly defaultChannel?: string };
  /** Dates the S3 anchors' retention (default the system clock). */
  readonly clock?: Clock;
}

/** Sinks to publish to and the readable stores among them; an anchor whose client is missing is reported, not dropped. */
export interface AnchorWiring {
  readonly sinks: readonly AnchorSink[];
  readonly stores: readonly AnchorStore[];
  /** Specs that could not be wired here (e.g. Slack in the CLI without a token). */
  readonly skipped: readonly string[];
}

/** Builds the anchor sinks and stores a config asks for. */
export function createAnchors(specs: readonly AnchorSpec[], clients: AnchorClients): AnchorWiring {
  const sinks: AnchorSink[] = [];
  const stores: AnchorStore[] = [];
  const skipped: string[] = [];
  for (const spec of specs) {
    switch (spec.kind) {
      case 'file': {
        const store = new FileAnchorStore(path.resolve(clients.baseDir, spec.path));
        sinks.push(store);
        stores.push(store);
        break;
      }
      case 'ssm': {
        if (clients.ssm === undefined) {
          skipped.push(`SSM parameter ${spec.name} (no SSM client here)`);
          break;
        }
        const store = new SsmAnchorStore({ client: clients.ssm(), name: spec.name });
        sinks.push(store);
        stores.push(store);
        break;
      }
      case 's3': {
        if (clients.s3 === undefined) {
          skipped.push(`S3 bucket ${spec.bucket} (no S3 client here)`);
          break;
        }
        const store = new S3AnchorStore({ client: clients.s3(), bucket: spec.bucket, prefix: spec.prefix, retentionDays: spec.retentionDays, clock: clients.clock ?? systemClock });
        sinks.push(store);
        stores.push(store);
        break;
      }
      case 'slack': {
        const channel = spec.channel ?? clients.slack?.defaultChannel;
        if (clients.slack === undefined || channel === undefined) {
          skipped.push(`Slack channel ${channel ?? '(none configured)'} (no Slack client here)`);
          break;
        }
        sinks.push(new SlackAnchorSink(clients.slack.web, channel));
        break;
      }
    }
  }
  return { sinks, stores, skipped };
}
