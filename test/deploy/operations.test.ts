/**
 * What a platform team signs off on, asserted on the packaged template (`npm run package`, offline): a plan-only first
 * run, failed invocations kept, alarms to one topic (and a heartbeat that fires on silence), a throttled and logged HTTP
 * API, retention that does not block a retried first deploy, and a write-once Object Lock anchor. Packaged twice: with
 * the defaults, and with every operational parameter set.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { benchSlackColdPath } from '../../bench/deploy';
import { packageStack } from './package-stack';
import { ROOT, actionList, readCloudFormationYaml, resourceList } from './sdk-calls';
import type { Json, Statement } from './sdk-calls';

type Resource = { Type: string; Properties: Record<string, Json>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Condition?: string };
type Template = { Resources: Record<string, Resource>; Conditions?: Record<string, Json>; Outputs?: Record<string, { Value: Json }> };

const dirs: string[] = [];
let defaultsDir: string;
let defaults: Template;
let tuned: Template;

async function packaged(params: readonly string[]): Promise<Template> {
  const { outDir, template } = await packageStack<Template>(params);
  dirs.push(outDir);
  if (params.length === 0) defaultsDir = outDir;
  return template;
}

beforeAll(async () => {
  [defaults, tuned] = await Promise.all([
    packaged([]),
    packaged([
      'scheduledMode=apply',
      'alertEmail=oncall@example.com',
      'anchorBucket=log-archive-warden-anchors',
      'anchorRetentionDays=2555',
      'apiThrottleRate=5',
      'apiThrottleBurst=10',
      'tracing=true',
      'slackProvisionedConcurrency=1',
      'organizationId=o-abc123def4',
      'protectedUserPath=/emergency/',
      'protectedUserArns=arn:aws:iam::111111111111:user/ops-root,arn:aws:iam::111111111111:user/ci/deployer',
    ]),
  ]);
}, 600_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const ofType = (t: Template, type: string): [string, Resource][] => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const resource = (t: Template, id: string): Resource => {
  const found = t.Resources[id];
  if (found === undefined) throw new Error(`no ${id} in the template`);
  return found;
};
const env = (t: Template, fn: string): Record<string, Json> =>
  ((resource(t, fn).Properties['Environment'] as { Variables: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<string, Json>;
const FUNCTIONS = ['SlackLambdaFunction', 'ReconcileLambdaFunction', 'WorkerLambdaFunction'];
/** The statements of every function role (each function has its own; conditional `Fn::If` ones left out). */
const roleStatements = (t: Template): Statement[] =>
  ['SlackRole', 'ReconcileRole', 'WorkerRole']
    .flatMap((id) => ((resource(t, id).Properties['Policies'] as unknown as { PolicyDocument: { Statement: Statement[] } }[]) ?? []).flatMap((p) => p.PolicyDocument.Statement))
    .filter((s) => s.Effect !== undefined);

describe('a safe first run', () => {
  it('deploys plan-only unless the operator passes scheduledMode=apply', () => {
    for (const fn of FUNCTIONS) expect({ fn, mode: env(defaults, fn)['WARDEN_SCHEDULED_MODE'] }).toEqual({ fn, mode: 'plan' });
    for (const fn of FUNCTIONS) expect({ fn, mode: env(tuned, fn)['WARDEN_SCHEDULED_MODE'] }).toEqual({ fn, mode: 'apply' });
  });

  it('keeps one reconcile at a time without reserved concurrency (which fails under a low account quota)', () => {
    for (const [id, fn] of ofType(defaults, 'AWS::Lambda::Function')) expect({ id, reserved: fn.Properties['ReservedConcurrentExecutions'] }).toEqual({ id, reserved: undefined });
  });
});

describe('retention', () => {
  it('keeps tables and buckets when the stack goes, except after a failed create, and on replacement', () => {
    // The framework's own deployment bucket is osls's business (emptied and removed with the stack).
    const kept = [...ofType(defaults, 'AWS::DynamoDB::Table'), ...ofType(defaults, 'AWS::S3::Bucket')].filter(([id]) => id !== 'ServerlessDeploymentBucket');
    expect(kept.map(([id]) => id).sort()).toEqual(['AnchorBucket', 'AuditTable', 'DeparturesTable', 'HostOutputBucket', 'RosterBucket', 'RunStateTable', 'SnapshotsTable']);
    for (const [id, r] of kept) expect({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({ id, deletion: 'RetainExceptOnCreate', replace: 'Retain' });
  });
});

describe('failed invocations and alarms', () => {
  it('sends asynchronous invocations that failed after the retry to an SQS queue, for every async function', () => {
    const configs = ofType(defaults, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, c]) => (c.Properties['FunctionName'] as { Ref: string }).Ref).sort()).toEqual(['ReconcileLambdaFunction', 'TrailLambdaFunction', 'WorkerLambdaFunction']);
    for (const [, c] of configs) {
      expect(c.Properties['DestinationConfig']).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] } } });
      expect(c.Properties['MaximumRetryAttempts']).toBe(1);
    }
    const queue = resource(defaults, 'FailedInvocationsQueue');
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    // Lambda delivers to the queue with the function role: that one queue only.
    const send = roleStatements(defaults).filter((s) => actionList(s).includes('sqs:SendMessage'));
    expect(send.length).toBeGreaterThan(0);
    for (const s of send) expect(resourceList(s)).toEqual([{ 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] }]);
  });

  it('alarms on errors, throttles, dropped events, queue depth, API 5xx, guard trips and silence, all to the alert topic', () => {
    const alarms = ofType(defaults, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const watched = alarms.map((a) => {
      const dims = (a['Dimensions'] as { Name: string; Value: Json }[]).map((d) => (typeof d.Value === 'object' && d.Value !== null && 'Ref' in d.Value ? d.Value['Ref'] : d.Name));
      return `${String(a['Namespace'])}/${String(a['MetricName'])}:${dims[0] as string}`;
    });
    expect(watched.sort()).toEqual(
      [
        'AWS/ApiGateway/5xx:HttpApi',
        'AWS/Lambda/AsyncEventsDropped:ReconcileLambdaFunction',
        'AWS/Lambda/AsyncEventsDropped:WorkerLambdaFunction',
        'AWS/Lambda/Errors:ReconcileLambdaFunction',
        'AWS/Lambda/Errors:SlackLambdaFunction',
        'AWS/Lambda/Errors:WorkerLambdaFunction',
        'AWS/Lambda/Throttles:ReconcileLambdaFunction',
        'AWS/Lambda/Throttles:SlackLambdaFunction',
        'AWS/Lambda/Throttles:WorkerLambdaFunction',
        'AWS/SQS/ApproximateNumberOfMessagesVisible:QueueName',
        'Warden/GuardTripped:Stack',
        'Warden/ReconcileCompleted:Stack',
      ].sort(),
    );
    for (const a of alarms) expect({ alarm: a['AlarmName'], actions: a['AlarmActions'] }).toEqual({ alarm: a['AlarmName'], actions: [{ Ref: 'AlertTopic' }] });
    expect(resource(defaults, 'AlertTopic').Type).toBe('AWS::SNS::Topic');
  });

  it('fires the heartbeat when no reconcile completed in 2 hours, missing data included, on the metric the code emits', () => {
    const heartbeat = resource(defaults, 'HeartbeatAlarm').Properties;
    expect(heartbeat).toMatchObject({
      Namespace: 'Warden',
      MetricName: 'ReconcileCompleted',
      Statistic: 'Sum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect((heartbeat['Period'] as number) * (heartbeat['DatapointsToAlarm'] as number)).toBe(7200);
    expect(heartbeat['EvaluationPeriods']).toBe(heartbeat['DatapointsToAlarm']);
    // The dimension the alarm watches is the one the functions write (src/lambda/metrics.ts).
    for (const fn of ['ReconcileLambdaFunction', 'WorkerLambdaFunction']) {
      expect(env(defaults, fn)['WARDEN_METRICS_NAMESPACE']).toBe(heartbeat['Namespace']);
      expect(heartbeat['Dimensions']).toEqual([{ Name: 'Stack', Value: env(defaults, fn)['WARDEN_METRICS_STACK'] }]);
    }
  });

  it('mails the alert topic only when an address is given', () => {
    expect(resource(defaults, 'AlertEmailSubscription').Condition).toBe('HasAlertEmail');
    expect(defaults.Conditions?.['HasAlertEmail']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(tuned.Conditions?.['HasAlertEmail']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['oncall@example.com', ''] }] });
    expect(resource(tuned, 'AlertEmailSubscription').Properties).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@example.com' });
  });
});

describe('the HTTP API', () => {
  it('throttles its stage and writes an access log, with the retention of the other logs', () => {
    const stage = resource(defaults, 'HttpApiStage').Properties;
    expect(stage['DefaultRouteSettings']).toMatchObject({ ThrottlingRateLimit: '20', ThrottlingBurstLimit: '40' });
    expect(resource(tuned, 'HttpApiStage').Properties['DefaultRouteSettings']).toMatchObject({ ThrottlingRateLimit: '5', ThrottlingBurstLimit: '10' });
    const access = stage['AccessLogSettings'] as { DestinationArn: Json; Format: string };
    expect(access.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(JSON.parse(access.Format)).toMatchObject({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', status: '$context.status' });
    expect(resource(defaults, 'HttpApiLogGroup').Properties['RetentionInDays']).toBe(365);
  });
});

describe('options', () => {
  it('traces with X-Ray only when asked', () => {
    for (const fn of FUNCTIONS) expect(resource(defaults, fn).Properties['TracingConfig']).toBeUndefined();
    for (const fn of FUNCTIONS) expect(resource(tuned, fn).Properties['TracingConfig']).toEqual({ Mode: 'Active' });
    // Each function role may send traces only when tracing is on.
    const xray = { 'Fn::If': ['Tracing', { Sid: 'Tracing', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }, { Ref: 'AWS::NoValue' }] };
    for (const t of [defaults, tuned]) {
      for (const role of ['SlackRole', 'ReconcileRole', 'WorkerRole']) {
        const statements = (resource(t, role).Properties['Policies'] as unknown as { PolicyDocument: { Statement: Json[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
        expect(statements).toContainEqual(xray);
      }
    }
    expect(defaults.Conditions?.['Tracing']).toEqual({ 'Fn::Equals': ['false', 'true'] });
    expect(tuned.Conditions?.['Tracing']).toEqual({ 'Fn::Equals': ['true', 'true'] });
  });

  it('gives the Slack function a full vCPU, so a cold start fits Slack\'s 3 seconds', () => {
    expect(resource(defaults, 'SlackLambdaFunction').Properties['MemorySize']).toBe(1769);
  });

  it('keeps Slack environments warm with provisioned concurrency only when asked, and routes Slack to them', () => {
    expect(ofType(defaults, 'AWS::Lambda::Alias')).toEqual([]);
    const aliases = ofType(tuned, 'AWS::Lambda::Alias');
    expect(aliases).toHaveLength(1);
    const [, alias] = aliases[0] as [string, Resource];
    expect(alias.Properties['ProvisionedConcurrencyConfig']).toEqual({ ProvisionedConcurrentExecutions: 1 });
    expect(JSON.stringify(alias.Properties['FunctionName'])).toContain('SlackLambdaFunction');
    expect(resource(tuned, 'HttpApiIntegrationSlack').Properties['IntegrationUri']).toEqual({
      'Fn::Join': [':', [{ 'Fn::GetAtt': ['SlackLambdaFunction', 'Arn'] }, alias.Properties['Name'] as string]],
    });
  });
});

describe('privilege parameters', () => {
  const statement = (t: Template, sid: string): Statement & { NotAction?: string[] } => {
    const found = roleStatements(t).filter((s) => s.Sid === sid);
    expect(found).toHaveLength(1);
    return found[0] as Statement;
  };

  it('limits AssumeRole to the organization named, or else to Warden\'s own', () => {
    expect(tuned.Conditions?.['HasOrganizationId']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['o-abc123def4', ''] }] });
    expect(statement(tuned, 'AssumeMemberRole').Condition).toEqual({
      StringEquals: { 'aws:ResourceOrgID': { 'Fn::If': ['HasOrganizationId', 'o-abc123def4', { 'Fn::Join': ['', ['$', '{aws:PrincipalOrgID}']] }] } },
    });
  });

  it('denies writes on the users under the configured path and on the ARNs given', () => {
    expect(tuned.Conditions?.['HasProtectedUserArns']).toEqual({
      'Fn::Not': [{ 'Fn::Equals': ['arn:aws:iam::111111111111:user/ops-root,arn:aws:iam::111111111111:user/ci/deployer', ''] }],
    });
    const deny = statement(tuned, 'ProtectedUsersUntouchable');
    expect(deny.Effect).toBe('Deny');
    expect(deny.NotAction).toEqual(['iam:Get*', 'iam:List*']);
    expect(deny.Resource).toEqual({
      'Fn::If': [
        'HasProtectedUserArns',
        {
          'Fn::Split': [
            ',',
            {
              'Fn::Sub': [
                'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/emergency/*,${Arns}',
                { Arns: 'arn:aws:iam::111111111111:user/ops-root,arn:aws:iam::111111111111:user/ci/deployer' },
              ],
            },
          ],
        },
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/emergency/*' },
      ],
    });
  });
});

describe('the audit anchor in S3 Object Lock', () => {
  it('creates a compliance-mode bucket by default, whose policy refuses any put that could replace an object', () => {
    const bucket = resource(defaults, 'AnchorBucket');
    expect(bucket.Condition).toBe('CreateAnchorBucket');
    expect(defaults.Conditions?.['CreateAnchorBucket']).toEqual({ 'Fn::Equals': ['', ''] });
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: '365' } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const statements = ((resource(defaults, 'AnchorBucketPolicy').Properties['PolicyDocument'] as unknown as { Statement: (Statement & { Principal: Json })[] }).Statement);
    expect(statements.find((s) => s.Sid === 'WriteOnce')).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Condition: { Null: { 's3:if-none-match': true } } });
    for (const fn of FUNCTIONS) {
      expect(env(defaults, fn)['WARDEN_AUDIT_ANCHOR_BUCKET']).toEqual({ 'Fn::If': ['CreateAnchorBucket', { Ref: 'AnchorBucket' }, ''] });
      expect(env(defaults, fn)['WARDEN_AUDIT_ANCHOR_RETENTION_DAYS']).toBe('365');
    }
  });

  it('lets Warden put and read anchors under its prefix and nothing else: no delete, no retention change, no bypass', () => {
    const s3 = roleStatements(defaults).filter((s) => s.Effect === 'Allow' && actionList(s).some((a) => a.startsWith('s3:')));
    const anchor = s3.filter((s) => JSON.stringify(s.Resource).includes('AnchorBucket'));
    expect(anchor.flatMap(actionList).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(JSON.stringify(anchor.find((s) => actionList(s).includes('s3:PutObject'))?.Resource)).toContain('/access-warden-ci/audit-head/*');
    expect(anchor.find((s) => actionList(s).includes('s3:ListBucket'))?.Condition).toEqual({ StringLike: { 's3:prefix': 'access-warden-ci/audit-head/*' } });
    const everything = roleStatements(defaults).filter((s) => s.Effect === 'Allow').flatMap(actionList);
    for (const forbidden of ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketPolicy']) {
      expect(everything).not.toContain(forbidden);
    }
  });

  it('uses a bucket in a log-archive account instead when one is named, and creates none', () => {
    expect(tuned.Conditions?.['CreateAnchorBucket']).toEqual({ 'Fn::Equals': ['log-archive-warden-anchors', ''] });
    for (const fn of FUNCTIONS) {
      expect(env(tuned, fn)['WARDEN_AUDIT_ANCHOR_BUCKET']).toEqual({ 'Fn::If': ['CreateAnchorBucket', { Ref: 'AnchorBucket' }, 'log-archive-warden-anchors'] });
      expect(env(tuned, fn)['WARDEN_AUDIT_ANCHOR_RETENTION_DAYS']).toBe('2555');
    }
  });
});

describe('deploy/anchor-bucket.yaml (the log-archive account)', () => {
  it('locks every object in compliance mode, refuses replacing puts, and lets Warden only put, read and list its prefix', () => {
    const t = readCloudFormationYaml(path.join(ROOT, 'deploy/anchor-bucket.yaml')) as unknown as Template;
    expect(resource(t, 'AnchorBucket').Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE' } } },
    });
    const statements = (resource(t, 'AnchorBucketPolicy').Properties['PolicyDocument'] as unknown as { Statement: (Statement & { Principal: Json })[] }).Statement;
    expect(statements.find((s) => s.Sid === 'WriteOnce')).toMatchObject({ Effect: 'Deny', Principal: '*', Condition: { Null: { 's3:if-none-match': true } } });
    const warden = statements.filter((s) => s.Effect === 'Allow');
    expect(warden.map((s) => s.Principal)).toEqual([{ AWS: { Ref: 'WardenPrincipalArn' } }, { AWS: { Ref: 'WardenPrincipalArn' } }]);
    expect(warden.flatMap(actionList).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });
});

describe('the Slack cold path (bench/deploy.ts)', () => {
  it('loads the packaged slack bundle in a fresh process and serves a first /offboard through it, opening the modal', async () => {
    const cold = await benchSlackColdPath(path.join(defaultsDir, 'slack.zip'), 1);
    expect(cold.runs).toBe(1);
    expect(cold.moduleLoadMs.median).toBeGreaterThan(0);
    expect(cold.firstOffboardMs.median).toBeGreaterThan(0);
    expect(cold.totalMs.max).toBeCloseTo(cold.moduleLoadMs.max + cold.firstOffboardMs.max, 0);
  }, 60_000);
});
