import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WardenConfig } from '../config/schema';
import { ConfigError } from '../config/load';
import { DynamoDbAuditLog } from '../adapters/audit/dynamodb-audit-log';
import { DynamoDbDepartureStore } from '../adapters/departures/dynamodb-departure-store';
import { DynamoDbSnapshotStore, type SnapshotScope } from '../adapters/evidence/dynamodb-snapshot-store';
import { DynamoDbRunBudget, type RunBudget } from '../adapters/state/dynamodb-run-budget';
import { DynamoDbRunStateStore } from '../adapters/state/dynamodb-run-state';
import type { AuditLog, Clock, RunLock, RunStateStore } from '../ports';
import type { DepartureStore } from '../ports/departures';
import type { SnapshotStore } from '../ports/evidence';
import type { TrailCursorStore } from '../ports/trail';
import type { CampaignStore } from '../ports/reviews';
import { DynamoDbCampaignStore } from '../adapters/reviews/dynamodb-campaign-store';

/** The stores one process writes: audit log, run state and its lock, and (when configured) departures and snapshots. */
export interface Stores {
  readonly audit: AuditLog;
  readonly runs: RunStateStore & RunLock;
  readonly departures?: DepartureStore;
  /** Every account's snapshots (what auditors' point-in-time questions read). */
  readonly snapshots?: SnapshotStore;
  /** The view one run saves through when it reads only part of the estate (a fanned-out account); `snapshots` without it. */
  scopedSnapshots?(scope: () => SnapshotScope): SnapshotStore;
  /** Each fanned-out run's revocation budget (the guard's maxRevocations over all its accounts). */
  readonly budget?: RunBudget;
  /** Where `warden serve` remembers how far it polled CloudTrail (issue 15); in memory when absent. */
  readonly trailCursors?: TrailCursorStore;
  /** Access review campaigns and their decisions. */
  readonly reviews?: CampaignStore;
  close(): Promise<void>;
}

/** The DynamoDB tables of a deployment. */
export interface DynamoDbTables {
  readonly audit: string;
  /** Run history and locks; the audit table itself when not separate (the key schema is shared). */
  readonly state: string;
  readonly departures?: string;
  readonly snapshots?: string;
  /** Access review campaigns; the run-state table unless named. */
  readonly reviews?: string;
}

/** Table names set in the environment (the Lambda functions'), each overriding the config's. */
export interface TableOverrides {
  readonly auditTable?: string;
  readonly stateTable?: string;
  readonly departuresTable?: string;
  readonly snapshotsTable?: string;
  readonly reviewsTable?: string;
}

/**
 * The DynamoDB tables a config and an environment name together: each variable overrides its config key; undefined when
 * neither names an audit table (the config's store is SQLite and no variable is set).
 */
export function dynamoDbTablesOf(config: WardenConfig, env: TableOverrides = {}): DynamoDbTables | undefined {
  const audit = config.audit.store === 'dynamodb' ? config.audit : undefined;
  const table = env.auditTable ?? audit?.table;
  if (table === undefined) return undefined;
  const departures = env.departuresTable ?? audit?.departuresTable;
  const snapshots = env.snapshotsTable ?? audit?.snapshotsTable;
  const reviews = env.reviewsTable ?? audit?.reviewsTable;
  return {
    audit: table,
    state: env.stateTable ?? audit?.stateTable ?? table,
    ...(departures !== undefined ? { departures } : {}),
    ...(snapshots !== undefined ? { snapshots } : {}),
    ...(reviews !== undefined ? { reviews } : {}),
  };
}

/** Like {@link dynamoDbTablesOf}, for a process that can only use DynamoDB (Lambda): a clear error when no table is named. */
export function requireDynamoDbTables(config: WardenConfig, env: TableOverrides, where: string): DynamoDbTables {
  const tables = dynamoDbTablesOf(config, env);
  if (tables === undefined) {
    throw new ConfigError(`${where}: no audit table: set WARDEN_AUDIT_TABLE or give the config audit: { store: dynamodb, table: NAME }`);
  }
  return tables;
}

/** The DynamoDB stores over one client (built by the composition root). */
export function openDynamoDbStores(
  client: DynamoDBClient,
  tables: DynamoDbTables,
  options: { readonly clock: Clock; readonly auditAttempts?: number },
): Stores & { readonly audit: DynamoDbAuditLog; readonly runs: DynamoDbRunStateStore; readonly budget: RunBudget } {
  const snapshots = tables.snapshots !== undefined ? new DynamoDbSnapshotStore({ client, table: tables.snapshots }) : undefined;
  return {
    audit: new DynamoDbAuditLog({
      client,
      table: tables.audit,
      clock: options.clock,
      ...(options.auditAttempts !== undefined ? { maxAttempts: options.auditAttempts } : {}),
    }),
    runs: new DynamoDbRunStateStore({ client, table: tables.state }),
    budget: new DynamoDbRunBudget({ client, table: tables.state }),
    ...(tables.departures !== undefined ? { departures: new DynamoDbDepartureStore({ client, table: tables.departures }) } : {}),
    reviews: new DynamoDbCampaignStore({ client, table: tables.reviews ?? tables.state }),
    ...(snapshots !== undefined ? { snapshots, scopedSnapshots: (scope: () => SnapshotScope) => snapshots.scopedTo(scope) } : {}),
    close: async () => undefined,
  };
}
