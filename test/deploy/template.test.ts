import { departuresTableDefinition } from '../../src/adapters/departures/dynamodb-departure-store';
import { snapshotsTableDefinition } from '../../src/adapters/evidence/dynamodb-snapshot-store';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { auditTableDefinition, runStateTableDefinition } from '../../src/adapters/state/dynamodb-tables';
import { FRAMEWORK_DESTINATION_ACTIONS, FRAMEWORK_LOG_ACTIONS, NO_RESOURCE_LEVEL, TABLE_OF_FILE } from './policy-rules';
import { ROOT, actionList, actionsOf, referencedResources, resourceList, resourceText } from './sdk-calls';
import type { Json, Statement } from './sdk-calls';
import { readZip } from './zip';
import { sendCommandProblems } from './send-command-policy';
import { grantProblems } from './grant-rules';
import { isDenyAllDocument } from '../../src/domain/policy-documents';
import { DEFAULT_DENY_ALL_POLICY_NAME } from '../../src/domain/policy';
import { ACTION_KIND_TABLE, ACTION_KINDS, IAM_PLANE_CALLS, IDENTITY_CENTER_PLANE_CALLS } from '../../src/domain/action-kinds';
import { wardenDocuments } from '../../src/adapters/aws/ssm/documents';
import { loadHostScripts } from '../../src/adapters/hosts/host-script-protocol';
import { packageStack } from './package-stack';
import { functionCalls, type FunctionName } from './function-calls';

type Resource = { Type: string; Properties: Record<string, Json>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: Json }> };

let outDir: string;
let template: Template;

beforeAll(async () => {
  ({ outDir, template } = await packageStack<Template>());
}, 600_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

const resourcesOfType = (type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** Every statement of every IAM policy in the template (inline role policies and managed policies). */
function allStatements(): { owner: string; statement: Statement }[] {
  const out: { owner: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const documents: Json[] = [];
    if (resource.Type === 'AWS::IAM::Role') for (const p of (resource.Properties['Policies'] as { PolicyDocument: Json }[] | undefined) ?? []) documents.push(p.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(resource.Properties['PolicyDocument'] as Json);
    for (const doc of documents) for (const statement of (doc as unknown as { Statement: Statement[] }).Statement) out.push({ owner: id, statement });
  }
  return out;
}

const ROLE_OF: Readonly<Record<FunctionName, string>> = { slack: 'SlackRole', reconcile: 'ReconcileRole', worker: 'WorkerRole', trail: 'TrailRole' };
const FUNCTIONS = Object.keys(ROLE_OF) as FunctionName[];

/** The statements of one role's inline policies (conditional `Fn::If` statements, such as X-Ray, left out). */
function roleStatements(roleId: string): Statement[] {
  const role = template.Resources[roleId];
  expect(role?.Type).toBe('AWS::IAM::Role');
  const policies = (role?.Properties['Policies'] as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? [];
  return policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect !== undefined);
}

/** Every function role's statements. */
const functionRoleStatements = (): Statement[] => FUNCTIONS.flatMap((fn) => roleStatements(ROLE_OF[fn]));

/** What Lambda itself needs of an asynchronously invoked function's role: its on-failure destination. */
const frameworkActions = (fn: FunctionName): Set<string> =>
  new Set([...FRAMEWORK_LOG_ACTIONS, ...(fn === 'slack' ? [] : [...FRAMEWORK_DESTINATION_ACTIONS])]);

const allowed = (statements: readonly Statement[]): Statement[] => statements.filter((s) => s.Effect === 'Allow');


describe('npm run package (offline)', () => {
  it('packages the slack, reconcile, worker and trail functions into separate small bundles', () => {
    for (const name of ['slack', 'reconcile', 'worker', 'trail']) {
      const zip = path.join(outDir, `${name}.zip`);
      expect(existsSync(zip)).toBe(true);
      expect(statSync(zip).size).toBeLessThan(10 * 1024 * 1024);
    }
    const handlers = resourcesOfType('AWS::Lambda::Function').map(([, r]) => r.Properties['Handler']);
    expect(handlers.sort()).toEqual(['src/lambda/reconcile.handler', 'src/lambda/slack.handler', 'src/lambda/trail.handler', 'src/lambda/worker.handler']);
  });

  it('ships the host scripts, byte for byte, where the reconcile and worker functions read them', () => {
    for (const name of ['reconcile', 'worker']) {
      const entries = readZip(path.join(outDir, `${name}.zip`));
      expect(entries.map((e) => e.name)).toContain(`src/lambda/${name}.mjs`);
      const scripts = readdirSync(path.join(ROOT, 'scripts/host')).filter((f) => f.endsWith('.sh'));
      expect(scripts).toEqual(expect.arrayContaining(['inventory.sh', 'revoke.sh']));
      for (const script of scripts) {
        const entry = entries.find((e) => e.name === `scripts/host/${script}`);
        expect({ name, script, shipped: entry?.read().toString('utf8') }).toEqual({ name, script, shipped: readFileSync(path.join(ROOT, 'scripts/host', script), 'utf8') });
      }
    }
  });

  it('puts every function on a runtime AWS still accepts for new functions', () => {
    // nodejs20.x was deprecated on 2026-04-30 and creating functions on it has been refused since
    // 2026-06-01; nodejs18.x and older long before. A deploy on any of them fails at CreateFunction.
    const refused = /^nodejs(?:\d|1\d|20)\.x$/;
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const runtime = String(fn.Properties['Runtime']);
      expect({ id, refused: refused.test(runtime) }).toEqual({ id, refused: false });
      expect({ id, runtime }).toEqual({ id, runtime: 'nodejs24.x' });
    }
  });

  it("starts the reconcile, worker and slack functions through Warden's exec wrapper, shipped executable, with a larger young generation", () => {
    for (const name of ['reconcile', 'worker', 'slack']) {
      const id = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;
      const variables = (template.Resources[id]?.Properties['Environment'] as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
      expect({ name, wrapper: variables['AWS_LAMBDA_EXEC_WRAPPER'], flags: variables['WARDEN_NODE_FLAGS'] }).toEqual({
        name,
        wrapper: '/var/task/deploy/lambda-node.sh',
        flags: '--min-semi-space-size=64 --max-semi-space-size=64',
      });
      const wrapper = readZip(path.join(outDir, `${name}.zip`)).find((e) => e.name === 'deploy/lambda-node.sh');
      expect({ name, shipped: wrapper?.read().toString('utf8') }).toEqual({ name, shipped: readFileSync(path.join(ROOT, 'deploy/lambda-node.sh'), 'utf8') });
      // Lambda runs the wrapper itself: without the execute bits every invocation would fail to start.
      expect({ name, mode: ((wrapper?.mode ?? 0) & 0o555).toString(8) }).toEqual({ name, mode: '555' });
    }
  });

  it('bundles for the Node version the functions run on', () => {
    const manifest = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
    expect(manifest).toMatch(/^\s+target: node24$/m);
  });

  it('runs reconcile on an EventBridge schedule, hourly by default', () => {
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, r]) => r.Properties['ScheduleExpression'] !== undefined);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties['ScheduleExpression']).toBe('cron(0 * * * ? *)');
    expect(JSON.stringify(rule.Properties['Targets'])).toContain('ReconcileLambdaFunction');
  });

  it('routes CloudTrail API call events (IAM, Identity Center, identity store) to the trail function, failed calls left out', () => {
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, r]) => r.Properties['EventPattern'] !== undefined);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties['EventPattern']).toMatchObject({ 'detail-type': ['AWS API Call via CloudTrail'], detail: { errorCode: [{ exists: false }] } });
    expect(JSON.stringify(rule.Properties['Targets'])).toContain('TrailLambdaFunction');
  });

  it('routes POST /slack/events on the HTTP API to the slack function', () => {
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties['RouteKey']);
    expect(routes).toEqual(['POST /slack/events']);
    expect(JSON.stringify(template.Resources['HttpApiIntegrationSlack']?.Properties)).toContain('SlackLambdaFunction');
    expect(JSON.stringify(template.Outputs?.['SlackRequestUrl']?.Value)).toContain('/slack/events');
  });
});

describe('the function role is least privilege', () => {
  it('has no wildcard action in any allow statement anywhere in the template', () => {
    const statements = allStatements();
    expect(statements.length).toBeGreaterThan(5);
    const wild = statements
      .filter(({ statement }) => statement.Effect === 'Allow')
      .flatMap(({ owner, statement }) => actionList(statement).filter((a) => a.includes('*')).map((a) => `${owner}: ${a}`));
    expect(wild).toEqual([]);
  });

  it('gives each function its own role, shared with no other function, and no default role', () => {
    expect(template.Resources['IamRoleLambdaExecution']).toBeUndefined();
    for (const fn of FUNCTIONS) {
      const id = `${fn[0]?.toUpperCase()}${fn.slice(1)}LambdaFunction`;
      expect({ fn, role: template.Resources[id]?.Properties['Role'] }).toEqual({ fn, role: { 'Fn::GetAtt': [ROLE_OF[fn], 'Arn'] } });
    }
    expect(resourcesOfType('AWS::IAM::Role').map(([id]) => id).sort()).toEqual(['ReconcileRole', 'SlackRole', 'TrailRole', 'WorkerRole']);
    for (const fn of FUNCTIONS) {
      const trust = template.Resources[ROLE_OF[fn]]?.Properties['AssumeRolePolicyDocument'];
      expect(trust).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    }
  });

  it.each(FUNCTIONS)('grants the %s role every AWS API call its code makes (a new call without a policy line fails here)', (fn) => {
    const granted = new Set(allowed(roleStatements(ROLE_OF[fn])).flatMap(actionList));
    const calls = functionCalls(fn);
    // The trail function only reads its config and invokes the worker (policy-rules.ts ONLY_RUN_IN).
    expect(calls.length).toBeGreaterThan(fn === 'worker' ? 30 : fn === 'trail' ? 2 : 4);
    const missing = [...actionsOf(calls)].filter((a) => !granted.has(a)).sort();
    expect(missing).toEqual([]);
  });

  it('grants the worker role every AWS call the action-kind table lists for each kind', () => {
    const granted = new Set(allowed(roleStatements('WorkerRole')).flatMap(actionList));
    for (const kind of ACTION_KINDS) {
      expect({ kind, missing: ACTION_KIND_TABLE[kind].calls.filter((call) => !granted.has(call)) }).toEqual({ kind, missing: [] });
    }
    expect(IAM_PLANE_CALLS.filter((call) => !granted.has(call))).toEqual([]);
    // Identity Center: exactly its reads and its kinds' calls, and only in the worker's role.
    const identityCenter = [...granted].filter((a) => a.startsWith('sso:') || a.startsWith('identitystore:')).sort();
    expect(identityCenter).toEqual([...IDENTITY_CENTER_PLANE_CALLS]);
    for (const role of ['SlackRole', 'ReconcileRole']) {
      expect(allowed(roleStatements(role)).flatMap(actionList).filter((a) => a.startsWith('sso:') || a.startsWith('identitystore:'))).toEqual([]);
    }
  });

  it.each(FUNCTIONS)('grants the %s role nothing its code does not call (besides its own logs and failure queue)', (fn) => {
    const called = actionsOf(functionCalls(fn));
    const framework = frameworkActions(fn);
    const extra = [...new Set(allowed(roleStatements(ROLE_OF[fn])).flatMap(actionList))].filter((a) => !called.has(a) && !framework.has(a)).sort();
    expect(extra).toEqual([]);
  });

  it('leaves the public Slack function no way to read or change an account: no IAM, Organizations, STS, Run Command or anchor writes', () => {
    const granted = allowed(roleStatements('SlackRole')).flatMap(actionList);
    expect(granted.filter((a) => /^(iam|organizations|sts):/.test(a) || ['ssm:SendCommand', 'ssm:PutParameter', 's3:PutObject'].includes(a))).toEqual([]);
    expect([...new Set(granted)].sort()).toEqual(
      ['dynamodb:PutItem', 'dynamodb:Query', 'lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 'ssm:GetParameter', 'ssm:GetParameters'].sort(),
    );
    // The dispatcher lists accounts and starts workers; only the worker's role changes access or assumes member roles.
    expect(allowed(roleStatements('ReconcileRole')).flatMap(actionList).filter((a) => a.startsWith('iam:') || a === 'sts:AssumeRole' || a === 'ssm:SendCommand')).toEqual([]);
    expect(template.Outputs?.['FunctionRoleArn']?.Value).toEqual({ 'Fn::GetAtt': ['WorkerRole', 'Arn'] });
  });

  it.each(FUNCTIONS)('lets the %s role write only its own log group', (fn) => {
    const logs = allowed(roleStatements(ROLE_OF[fn])).filter((s) => actionList(s).some((a) => a.startsWith('logs:')));
    const name = fn === 'worker' ? 'access-warden-ci-worker' : `access-warden-ci-${fn}`;
    expect(logs.flatMap(resourceList).map(resourceText)).toEqual([`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${name}:*`]);
  });

  it('uses "Resource": "*" only for actions that have no resource-level permissions', () => {
    const offenders = allowed(functionRoleStatements())
      .filter((s) => resourceList(s).some((r) => r === '*'))
      .flatMap(actionList)
      .filter((a) => !NO_RESOURCE_LEVEL.has(a));
    expect(offenders).toEqual([]);
  });

  it('changes IAM in its own account only; other accounts only through the member role', () => {
    for (const statement of allowed(functionRoleStatements())) {
      const iamWrites = actionList(statement).filter((a) => a.startsWith('iam:') && !NO_RESOURCE_LEVEL.has(a));
      if (iamWrites.length === 0) continue;
      for (const resource of resourceList(statement)) expect(resourceText(resource)).toMatch(/^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:(user|group|mfa|role)\/\*$/);
    }
    const assume = allowed(functionRoleStatements()).filter((s) => actionList(s).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(1);
    expect(resourceList(assume[0] as Statement).map(resourceText)).toEqual(['arn:${AWS::Partition}:iam::*:role/WardenAccess']);
  });

  it('assumes the Identity Center role (config identityCenter.roleArn) only when the identityCenterRoleArn parameter names it, and nothing else with it', () => {
    const policies = (template.Resources['WorkerRole']?.Properties['Policies'] as { PolicyDocument: { Statement: Json[] } }[] | undefined) ?? [];
    const conditional = policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => JSON.stringify(s).includes('HasIdentityCenterRole'));
    expect(conditional).toEqual([
      { 'Fn::If': ['HasIdentityCenterRole', { Sid: 'AssumeIdentityCenterRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: { 'Fn::Join': ['', ['']] } }, { Ref: 'AWS::NoValue' }] },
    ]);
    expect((template as unknown as { Conditions: Record<string, Json> }).Conditions['HasIdentityCenterRole']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    for (const role of ['SlackRole', 'ReconcileRole', 'TrailRole']) expect(JSON.stringify(template.Resources[role]?.Properties['Policies'])).not.toContain('HasIdentityCenterRole');
  });

  it("assumes member roles only in Warden's organization (aws:ResourceOrgID), by default its own, or the organizationId given", () => {
    const assume = allowed(functionRoleStatements()).filter((s) => actionList(s).includes('sts:AssumeRole'));
    expect(assume.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:ResourceOrgID': { 'Fn::If': ['HasOrganizationId', '', { 'Fn::Join': ['', ['$', '{aws:PrincipalOrgID}']] }] } } },
    ]);
    // With the parameter empty, the value IAM sees is its own policy variable, the caller's organization.
    expect((template as unknown as { Conditions: Record<string, Json> }).Conditions['HasOrganizationId']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('denies every IAM write on protected users (IAM path, then ARNs) on every role that can write IAM, whatever the code decides', () => {
    const writers = FUNCTIONS.filter((fn) => allowed(roleStatements(ROLE_OF[fn])).flatMap(actionList).some((a) => a.startsWith('iam:') && !/^iam:(Get|List)/.test(a) && !NO_RESOURCE_LEVEL.has(a)));
    expect(writers).toEqual(['worker']);
    for (const fn of writers) {
      const statements = roleStatements(ROLE_OF[fn]);
      const deny = statements.filter((s) => s.Sid === 'ProtectedUsersUntouchable');
      expect(deny).toHaveLength(1);
      const [statement] = deny as [Statement & { NotAction?: string[] }];
      expect(statement.Effect).toBe('Deny');
      expect(statement.Condition).toBeUndefined();
      // Denies everything on those users but reading, so no write Warden holds (or is ever given) escapes it.
      expect(statement.NotAction).toEqual(['iam:Get*', 'iam:List*']);
      const userWrites = allowed(statements)
        .filter((s) => resourceList(s).some((r) => resourceText(r).includes(':user/')))
        .flatMap(actionList)
        .filter((a) => !/^iam:(Get|List)/.test(a));
      expect(userWrites).toEqual(expect.arrayContaining(['iam:AttachUserPolicy', 'iam:UpdateAccessKey', 'iam:DeleteLoginProfile', 'iam:DeleteUser']));
      expect(statement.Resource).toEqual({
        'Fn::If': [
          'HasProtectedUserArns',
          { 'Fn::Split': [',', { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${AWS::AccountId}:user/break-glass/*,${Arns}', { Arns: '' }] }] },
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/break-glass/*' },
        ],
      });
    }
    // Never a tag: a user who may tag themselves could opt in or out.
    expect(JSON.stringify(functionRoleStatements())).not.toMatch(/PrincipalTag|ResourceTag\/[^W]|iam:ResourceTag/);
  });

  it('cannot grant access: no policy writes, credentials or group joins, and AttachUserPolicy only for its own deny-all, which the stack creates', () => {
    expect(grantProblems(allStatements().map((s) => s.statement), { denyAllPolicy: { Ref: 'WardenDenyAllPolicy' }, hostTag: 'managed' })).toEqual([]);
    const denyAll = template.Resources['WardenDenyAllPolicy'];
    expect(denyAll?.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(isDenyAllDocument(denyAll?.Properties['PolicyDocument'])).toBe(true);
    expect(denyAll?.Properties['ManagedPolicyName']).toBe(DEFAULT_DENY_ALL_POLICY_NAME);
    // Attaching it is the one grant-shaped call left, and it is pinned to that policy.
    expect(allowed(functionRoleStatements()).filter((s) => actionList(s).includes('iam:AttachUserPolicy'))).toHaveLength(1);
  });

  it("sends SSM commands only with Warden's own documents, created by the stack byte for byte, to tagged instances", () => {
    expect(sendCommandProblems(allStatements().map((s) => s.statement), 'managed')).toEqual([]);
    expect(JSON.stringify(allStatements())).not.toContain('AWS-RunShellScript');
    const generated = wardenDocuments(loadHostScripts());
    const documents = resourcesOfType('AWS::SSM::Document').map(([, r]) => [r.Properties['Name'], r.Properties['DocumentType'], r.Properties['Content']]);
    expect(documents).toEqual([
      ['WardenInventory', 'Command', generated.inventory.content],
      ['WardenRevoke', 'Command', generated.revoke.content],
    ]);
  });

  it("has SSM write host output to the stack's own bucket, which only the worker reads and only this account's principals write, under warden/", () => {
    const buckets = resourcesOfType('AWS::S3::BucketPolicy').filter(([id]) => id === 'HostOutputBucketPolicy');
    expect(buckets).toHaveLength(1);
    const statements = (buckets[0]?.[1].Properties['PolicyDocument'] as unknown as { Statement: Statement[] }).Statement;
    const write = statements.filter((st) => st.Effect === 'Allow');
    // Only PutObject, only under warden/, only principals of this account (the instances' roles).
    expect(write).toHaveLength(1);
    expect(write[0]).toMatchObject({ Action: 's3:PutObject', Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } } });
    expect(JSON.stringify(write[0]?.Resource)).toContain('/warden/*');
    expect(statements.find((st) => st.Sid === 'TlsOnly')).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
    const bucket = template.Resources['HostOutputBucket']?.Properties ?? {};
    expect(bucket['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(JSON.stringify(bucket['LifecycleConfiguration'])).toContain('ExpirationInDays');

    const readers = FUNCTIONS.filter((fn) => allowed(roleStatements(ROLE_OF[fn])).some((st) => JSON.stringify(st.Resource).includes('HostOutputBucket')));
    expect(readers).toEqual(['worker']);
    const read = allowed(roleStatements('WorkerRole')).filter((st) => JSON.stringify(st.Resource).includes('HostOutputBucket'));
    expect(read.map((st) => st.Action)).toEqual([['s3:GetObject']]);
    expect(JSON.stringify(template.Resources['WorkerFunction']?.Properties['Environment'] ?? template.Resources['WorkerLambdaFunction']?.Properties['Environment'])).toContain('HostOutputBucket');
  });

  it('reads only this stage’s parameters, writes only the audit anchor, and invokes only the worker', () => {
    const statements = allowed(functionRoleStatements());
    const ssmRead = statements.filter((s) => actionList(s).includes('ssm:GetParameter'));
    expect([...new Set(ssmRead.flatMap(resourceList).map(resourceText))]).toEqual(['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/warden/ci/*']);
    const anchor = statements.filter((s) => actionList(s).includes('ssm:PutParameter'));
    expect(anchor.flatMap(actionList)).toEqual(['ssm:PutParameter']);
    expect(anchor.flatMap(resourceList).map(resourceText)).toEqual(['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/warden/ci/audit-head']);
    const invoke = statements.filter((s) => actionList(s).includes('lambda:InvokeFunction'));
    expect([...new Set(invoke.flatMap(resourceList).map(resourceText))]).toEqual(['arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:access-warden-ci-worker']);
    const worker = resourcesOfType('AWS::Lambda::Function').find(([id]) => id === 'WorkerLambdaFunction');
    expect(worker?.[1].Properties['FunctionName']).toBe('access-warden-ci-worker');
  });

  it.each(FUNCTIONS)('grants each DynamoDB caller of the %s function its actions on its own table only', (fn) => {
    const statements = allowed(roleStatements(ROLE_OF[fn])).filter((s) => actionList(s).some((a) => a.startsWith('dynamodb:')));
    const dynamoCalls = functionCalls(fn).filter((c) => c.action.startsWith('dynamodb:'));
    // The trail function touches no table at all (the worker audits what it does); its loops below then check nothing.
    expect({ fn, callsDynamoDb: dynamoCalls.length > 0, granted: statements.length > 0 }).toEqual({ fn, callsDynamoDb: fn !== 'trail', granted: fn !== 'trail' });
    for (const call of dynamoCalls) {
      const table = TABLE_OF_FILE[call.file];
      if (table === undefined) throw new Error(`${call.file} calls ${call.action}: map it to its table in test/deploy/policy-rules.ts and grant it in serverless.yml`);
      const onTable = statements.filter((s) => actionList(s).includes(call.action) && resourceList(s).some((r) => referencedResources(r).has(table)));
      expect({ call: `${call.file} ${call.action}`, granted: onTable.length > 0 }).toEqual({ call: `${call.file} ${call.action}`, granted: true });
    }
    for (const statement of statements) {
      const tables = new Set(resourceList(statement).flatMap((r) => [...referencedResources(r)]));
      for (const action of actionList(statement)) {
        for (const table of tables) {
          const needed = dynamoCalls.some((c) => c.action === action && TABLE_OF_FILE[c.file] === table);
          expect({ fn, action, table, needed }).toEqual({ fn, action, table, needed: true });
        }
      }
    }
  });

  it("lets the worker query the audit log's indexes (history by person, user and run)", () => {
    const statements = allowed(roleStatements('WorkerRole'));
    expect(statements.some((s) => actionList(s).includes('dynamodb:Query') && resourceList(s).some((r) => resourceText(r) === '${AuditTable.Arn}/index/*'))).toBe(true);
  });

  it.each(FUNCTIONS)('denies the %s role updating or deleting audit entries, whatever else is ever granted', (fn) => {
    const statements = roleStatements(ROLE_OF[fn]);
    // The trail role has no DynamoDB at all: nothing that could write the audit log, so nothing to deny.
    const dynamoDb = allowed(statements).flatMap(actionList).filter((a) => a.startsWith('dynamodb:'));
    expect({ fn, dynamoDb: dynamoDb.length > 0 }).toEqual({ fn, dynamoDb: fn !== 'trail' });
    const touchesAudit = allowed(statements).some((s) => resourceList(s).some((r) => referencedResources(r).has('AuditTable')));
    expect({ fn, touchesAudit }).toEqual({ fn, touchesAudit: fn !== 'trail' });
    const denies = statements.filter((s) => s.Effect === 'Deny' && resourceList(s).some((r) => referencedResources(r).has('AuditTable')));
    const denied = new Set(denies.flatMap(actionList));
    const required = touchesAudit ? ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable'] : [];
    for (const action of required) expect(denied.has(action)).toBe(true);
  });
});

describe('tables', () => {
  const tableOf = (id: string): Resource => {
    const table = template.Resources[id];
    if (table === undefined) throw new Error(`no ${id} in the template`);
    return table;
  };

  it('have point-in-time recovery, deletion protection and are retained with the stack gone (but not after a failed create)', () => {
    const tables = resourcesOfType('AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id).sort()).toEqual(['AuditTable', 'DeparturesTable', 'RunStateTable', 'SnapshotsTable']);
    for (const [, table] of tables) {
      expect(table.Properties['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties['DeletionProtectionEnabled']).toBe(true);
      expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties['BillingMode']).toBe('PAY_PER_REQUEST');
    }
  });

  it('mirror the key schemas and indexes the code creates in tests', () => {
    const sortByName = <T extends { AttributeName?: string | undefined; IndexName?: string | undefined }>(list: readonly T[] | undefined): T[] =>
      [...(list ?? [])].sort((a, b) => (a.AttributeName ?? a.IndexName ?? '').localeCompare(b.AttributeName ?? b.IndexName ?? ''));
    const pairs: [string, ReturnType<typeof auditTableDefinition>][] = [
      ['AuditTable', auditTableDefinition('x')],
      ['RunStateTable', runStateTableDefinition('x')],
      ['DeparturesTable', departuresTableDefinition('x')],
      ['SnapshotsTable', snapshotsTableDefinition('x')],
    ];
    for (const [id, code] of pairs) {
      const props = tableOf(id).Properties as Record<string, never>;
      expect(props['KeySchema']).toEqual(code.KeySchema);
      expect(sortByName(props['AttributeDefinitions'])).toEqual(sortByName(code.AttributeDefinitions));
      expect(sortByName(props['GlobalSecondaryIndexes'] ?? [])).toEqual(sortByName(code.GlobalSecondaryIndexes ?? []));
    }
  });
});

describe('secrets', () => {
  it('are never in the functions environment: only the Parameter Store path to read them from', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions).toHaveLength(4);
    for (const [, fn] of functions) {
      const variables = ((fn.Properties['Environment'] as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<string, Json>;
      for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']) expect(Object.keys(variables)).not.toContain(name);
      const secretNamed = Object.entries(variables).filter(([name]) => /SECRET|TOKEN|PASSWORD/i.test(name));
      for (const [name, value] of secretNamed) expect({ name, value }).toEqual({ name, value: expect.stringMatching(/^\/warden\/ci\/[\w/-]*\/$/) });
      expect(variables['WARDEN_SLACK_SECRETS_PATH']).toBe('/warden/ci/slack/');
      expect(variables['WARDEN_CONFIG_PARAMETER']).toBe('/warden/ci/config');
    }
    expect(JSON.stringify(template)).not.toMatch(/xox[abposr]-|xapp-/);
  });
});
