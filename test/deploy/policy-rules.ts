/** What the least-privilege tests accept beyond "exactly what the code calls", each with its reason. */

/** Actions with no resource-level permissions: AWS accepts only `"Resource": "*"` for them. */
export const NO_RESOURCE_LEVEL: ReadonlySet<string> = new Set([
  'iam:GetAccountAuthorizationDetails',
  'iam:ListVirtualMFADevices',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'organizations:ListAccounts',
  'ssm:ListCommands',
  'ssm:ListCommandInvocations',
  'ssm:GetCommandInvocation',
  'ssm:DescribeInstanceInformation',
  'sts:GetCallerIdentity',
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
  'src/adapters/state/dynamodb-run-budget.ts': 'RunStateTable',
};

/** What osls grants every function on its own log groups. */
export const FRAMEWORK_LOG_ACTIONS: ReadonlySet<string> = new Set(['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource', 'logs:PutLogEvents']);

/** What osls grants the function role so Lambda can deliver failed asynchronous invocations to their on-failure queue. */
export const FRAMEWORK_DESTINATION_ACTIONS: ReadonlySet<string> = new Set(['sqs:SendMessage']);

/**
 * SDK calls a function's bundle contains but never makes, per function and file, each with its reason. The three
 * functions share one composition root (src/lambda/container.ts), so every bundle reaches every adapter; what a
 * function runs is narrower. test/lambda proves each reason (see the comment on each).
 */
export const NOT_RUN_IN: Partial<Record<'slack' | 'reconcile' | 'worker', Readonly<Record<string, readonly string[]>>>> = {};
