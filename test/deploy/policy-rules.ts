import { sdkCalls } from './sdk-calls';

/** What the least-privilege tests accept beyond "exactly what the code calls", each with its reason. */

/** Actions with no resource-level permissions: AWS accepts only `"Resource": "*"` for them. */
export const NO_RESOURCE_LEVEL: ReadonlySet<string> = new Set([
  'iam:GetAccountAuthorizationDetails',
  'iam:ListVirtualMFADevices',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListRoles',
  'iam:GetAccountPasswordPolicy',
  'iam:UpdateAccountPasswordPolicy',
  'organizations:ListAccounts',
  'ssm:ListCommands',
  'ssm:ListCommandInvocations',
  'ssm:GetCommandInvocation',
  'ssm:DescribeInstanceInformation',
  'sts:GetCallerIdentity',
  'cloudtrail:LookupEvents',
]);

/** Calls that never run in the deployment, per file. */
export const NOT_DEPLOYED: Readonly<Record<string, readonly string[]>> = {
  // createTables() is for tests and local development; CloudFormation owns the deployed tables.
  'src/adapters/state/dynamodb-tables.ts': ['dynamodb:CreateTable', 'dynamodb:DescribeTable'],
};

/** Which table each DynamoDB caller works on (its actions are granted on that table only). */
export const TABLE_OF_FILE: Readonly<Record<string, string>> = {
  'src/adapters/audit/dynamodb-audit-log.ts': 'AuditTable',
  'src/adapters/state/dynamodb-run-state.ts': 'RunStateTable',
  'src/adapters/departures/dynamodb-departure-store.ts': 'DeparturesTable',
  'src/adapters/slack/dynamodb-seen-store.ts': 'RunStateTable',
  'src/adapters/evidence/dynamodb-snapshot-store.ts': 'SnapshotsTable',
  'src/adapters/evidence/dynamodb-snapshot-table.ts': 'SnapshotsTable',
  'src/adapters/state/dynamodb-run-budget.ts': 'RunStateTable',
  // Access review campaigns live in the state table unless audit.reviewsTable names another.
  'src/adapters/reviews/dynamodb-campaign-store.ts': 'RunStateTable',
};

/** What osls grants every function on its own log groups. */
export const FRAMEWORK_LOG_ACTIONS: ReadonlySet<string> = new Set(['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource', 'logs:PutLogEvents']);

/** What osls grants the function role so Lambda can deliver failed asynchronous invocations to their on-failure queue. */
export const FRAMEWORK_DESTINATION_ACTIONS: ReadonlySet<string> = new Set(['sqs:SendMessage']);

/** Every IAM call of the IAM adapter, per file (inventory, user detail, credentials, execute, teardown). */
const IAM_ADAPTER: Readonly<Record<string, readonly string[]>> = (() => {
  const byFile: Record<string, string[]> = {};
  for (const call of sdkCalls()) if (call.file.startsWith('src/adapters/aws/iam/')) (byFile[call.file] ??= []).push(call.action);
  return byFile;
})();
/** Every call of the Identity Center adapter: only the worker reads or changes Identity Center (the hosts worker, once per run). */
const IC_ADAPTER: Readonly<Record<string, readonly string[]>> = (() => {
  const byFile: Record<string, string[]> = {};
  for (const call of sdkCalls()) if (call.file.startsWith('src/adapters/aws/identity-center/')) (byFile[call.file] ??= []).push(call.action);
  return byFile;
})();
const HOSTS_ALL: readonly string[] = ['s3:GetObject', 'ssm:SendCommand', 'ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'];
const SNAPSHOTS_ALL: readonly string[] = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'];

/**
 * SDK calls a function's bundle contains but never makes, per function and file, each with its reason. The three
 * functions share one composition root (src/lambda/container.ts over src/runtime/composition.ts), so every bundle reaches every adapter; what a
 * function runs is narrower. test/lambda proves each reason (see the comment on each).
 */
/** What only the worker does (departures, snapshots, anchors, the revocation budget): neither slack nor reconcile runs it. */
const WORKER_ONLY: Readonly<Record<string, readonly string[]>> = {
    'src/adapters/departures/dynamodb-departure-store.ts': ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    'src/adapters/evidence/dynamodb-snapshot-store.ts': SNAPSHOTS_ALL,
    'src/adapters/evidence/dynamodb-snapshot-table.ts': SNAPSHOTS_ALL,
    'src/adapters/evidence/s3-anchor-store.ts': ['s3:PutObject', 's3:ListBucket', 's3:GetObject'],
    'src/adapters/evidence/ssm-anchor-store.ts': ['ssm:PutParameter', 'ssm:GetParameter'],
    'src/adapters/state/dynamodb-run-budget.ts': ['dynamodb:GetItem', 'dynamodb:PutItem'],
    // Review clicks are decided (and revokes applied) in the worker's slack-task runner; the Slack function only enqueues them.
    'src/adapters/reviews/dynamodb-campaign-store.ts': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
};

export const NOT_RUN_IN: Partial<Record<'slack' | 'reconcile' | 'worker' | 'trail', Readonly<Record<string, readonly string[]>>>> = {
  // The Slack function answers Slack within 3 s: it checks who asks (config), dedupes deliveries, reads the roster for
  // the form, audits refusals and enqueues everything else for the worker (src/adapters/slack/app.ts; the jobs run in
  // the worker's slack-task runner). Its app is built with no account directories (src/lambda/slack-app.ts).
  slack: {
    'src/adapters/aws/accounts.ts': ['organizations:ListAccounts', 'sts:AssumeRole'],
    ...IAM_ADAPTER,
    ...IC_ADAPTER,
    'src/adapters/aws/ssm/run-command.ts': HOSTS_ALL,
    ...WORKER_ONLY,
    'src/adapters/state/dynamodb-run-state.ts': ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
    'src/runtime/composition.ts': ['sts:GetCallerIdentity'],
  },
  // The dispatcher hands every account (and due departures) to the worker whenever a worker is configured, as it always
  // is when deployed (test/lambda/reconcile.test.ts, "hands even a single account to the worker"): it takes its lock,
  // reads the config, lists the accounts, invokes the worker and audits the dispatch.
  reconcile: {
    'src/adapters/aws/accounts.ts': ['sts:AssumeRole'],
    ...IAM_ADAPTER,
    ...IC_ADAPTER,
    'src/adapters/aws/ssm/run-command.ts': HOSTS_ALL,
    'src/adapters/aws/s3-roster.ts': ['s3:GetObject'],
    ...WORKER_ONLY,
    'src/runtime/composition.ts': ['sts:GetCallerIdentity'],
  },
};

/**
 * Functions that, deployed, make only these calls of everything their bundle reaches. The trail function (issue 15)
 * reads its config and hands restoring CloudTrail events to the worker, which is always configured when deployed
 * (test/trail/lambda-trail.test.ts, "hands a restoring event to the worker"); handling an event in process is the
 * fallback of tests and local runs without a worker.
 */
export const ONLY_RUN_IN: Partial<Record<'slack' | 'reconcile' | 'worker' | 'trail', readonly string[]>> = {
  trail: ['ssm:GetParameter', 'ssm:GetParameters', 'lambda:InvokeFunction'],
};
