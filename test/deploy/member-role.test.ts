import path from 'node:path';
import { NO_RESOURCE_LEVEL } from './policy-rules';
import { ROOT, actionList, actionsOf, readCloudFormationYaml, resourceList, resourceText, sdkCalls } from './sdk-calls';
import type { Json, Statement } from './sdk-calls';
import { sendCommandProblems } from './send-command-policy';
import { grantProblems } from './grant-rules';
import { isDenyAllDocument } from '../../src/domain/policy-documents';
import { DEFAULT_DENY_ALL_POLICY_NAME } from '../../src/domain/policy';
import { ACTION_KIND_TABLE, ACTION_KINDS, IAM_PLANE_CALLS } from '../../src/domain/action-kinds';

const TEMPLATE = path.join(ROOT, 'deploy/member-account-role.yaml');

interface RoleProperties {
  AssumeRolePolicyDocument: { Statement: Statement[] };
  Policies: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  RoleName: Json;
}

function load() {
  const template = readCloudFormationYaml(TEMPLATE) as unknown as {
    Parameters: Record<string, Record<string, Json>>;
    Resources: Record<string, { Type: string; Properties: RoleProperties }>;
  };
  const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return { template, role: (roles[0] as { Properties: RoleProperties }).Properties };
}

describe('deploy/member-account-role.yaml', () => {
  const policy = (role: RoleProperties, name: string): Statement[] => role.Policies.filter((p) => p.PolicyName === name).flatMap((p) => p.PolicyDocument.Statement);

  it('grants exactly the IAM calls the code makes: no more, no less', () => {
    const { role } = load();
    expect(role.Policies.map((p) => p.PolicyName)).toEqual(['warden-access', 'warden-protected-users', 'warden-host-commands']);
    const statements = policy(role, 'warden-access');
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const granted = statements.flatMap(actionList);
    expect(new Set(granted).size).toBe(granted.length);
    const iamCalls = [...actionsOf(sdkCalls())].filter((a) => a.startsWith('iam:'));
    expect(iamCalls.length).toBeGreaterThan(25);
    expect([...granted].sort()).toEqual(iamCalls.sort());
  });

  it('grants exactly what the action-kind table says the IAM plane calls (its reads and each kind\'s calls)', () => {
    const { role } = load();
    const granted = policy(role, 'warden-access').flatMap(actionList);
    expect([...new Set(granted)].sort()).toEqual([...IAM_PLANE_CALLS]);
    for (const kind of ACTION_KINDS) {
      const descriptor = ACTION_KIND_TABLE[kind];
      const grantedHere = descriptor.plane === 'iam' ? granted : policy(role, 'warden-host-commands').flatMap(actionList);
      expect({ kind, missing: descriptor.calls.filter((call) => !grantedHere.includes(call)) }).toEqual({ kind, missing: [] });
    }
  });

  it('grants exactly the SSM Run Command calls the host adapter makes, in its own policy', () => {
    const { role } = load();
    const granted = policy(role, 'warden-host-commands').flatMap(actionList);
    // The S3 output bucket (s3:GetObject) is read in Warden's own account, never through this role.
    const hostCalls = [...actionsOf(sdkCalls().filter((c) => c.file.startsWith('src/adapters/aws/ssm/') && c.action.startsWith('ssm:')))];
    expect(hostCalls).toContain('ssm:SendCommand');
    expect([...new Set(granted)].sort()).toEqual(hostCalls.sort());
  });

  it("runs only Warden's own documents (created here), only on instances tagged Warden=<HostTagValue>, never AWS-RunShellScript", () => {
    const { template, role } = load();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(sendCommandProblems(statements, { Ref: 'HostTagValue' })).toEqual([]);
    expect(JSON.stringify(role.Policies)).not.toContain('AWS-RunShellScript');
    const documents = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Document');
    expect(documents.map((d) => (d.Properties as unknown as Record<string, Json>)['Name'])).toEqual(['WardenInventory', 'WardenRevoke']);
  });

  it('cannot grant access: no policy writes, credentials or group joins, and AttachUserPolicy only for its own deny-all, which it creates', () => {
    const { template, role } = load();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(grantProblems(statements, { denyAllPolicy: { Ref: 'WardenDenyAllPolicy' }, hostTag: { Ref: 'HostTagValue' } })).toEqual([]);
    const denyAll = template.Resources['WardenDenyAllPolicy'];
    expect(denyAll?.Type).toBe('AWS::IAM::ManagedPolicy');
    const properties = denyAll?.Properties as unknown as Record<string, Json>;
    expect(isDenyAllDocument(properties['PolicyDocument'])).toBe(true);
    expect(properties['ManagedPolicyName']).toEqual({ Ref: 'DenyAllPolicyName' });
    expect(template.Parameters['DenyAllPolicyName']?.['Default']).toBe(DEFAULT_DENY_ALL_POLICY_NAME);
  });

  it('has no wildcard actions, and "*" resources only where IAM has no resource-level permissions', () => {
    const { role } = load();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === 'Allow');
    expect(statements.flatMap(actionList).filter((a) => a.includes('*'))).toEqual([]);
    const anywhere = statements.filter((s) => resourceList(s).includes('*'));
    expect(anywhere.flatMap(actionList).filter((a) => !NO_RESOURCE_LEVEL.has(a))).toEqual([]);
    const scoped = policy(role, 'warden-access').filter((s) => !anywhere.includes(s)).flatMap((s) => resourceList(s).map(resourceText));
    expect(scoped.length).toBeGreaterThan(0);
    for (const r of scoped) expect(r).toMatch(/^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:(user|group|mfa|role)\/\*$/);
  });

  it('denies every IAM write on users under the protected path (break-glass by default) and on the ARNs given, by policy', () => {
    const { template, role } = load();
    const allows = role.Policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === 'Allow');
    expect(allows.flatMap(actionList).some((a) => a.startsWith('iam:') && !/^iam:(Get|List)/.test(a))).toBe(true);
    const deny = policy(role, 'warden-protected-users') as (Statement & { NotAction?: string[] })[];
    expect(deny).toHaveLength(1);
    const [statement] = deny as [Statement & { NotAction?: string[] }];
    expect(statement.Effect).toBe('Deny');
    expect(statement.Condition).toBeUndefined();
    expect(statement.NotAction).toEqual(['iam:Get*', 'iam:List*']);
    expect(statement.Resource).toEqual({
      'Fn::If': [
        'HasProtectedUserArns',
        { 'Fn::Split': [',', { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${AWS::AccountId}:user${ProtectedUserPath}*,${Arns}', { Arns: { 'Fn::Join': [',', { Ref: 'ProtectedUserArns' }] } }] }] },
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user${ProtectedUserPath}*' },
      ],
    });
    expect(template.Parameters['ProtectedUserPath']?.['Default']).toBe('/break-glass/');
    const pattern = new RegExp(String(template.Parameters['ProtectedUserPath']?.['AllowedPattern']));
    for (const ok of ['/break-glass/', '/ops/emergency/']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['', '/', 'break-glass', '/break-glass', '/*/', '/a b/']) expect({ bad, ok: pattern.test(bad) }).toEqual({ bad, ok: false });
    expect(JSON.stringify(role.Policies)).not.toMatch(/PrincipalTag|iam:ResourceTag/);
  });

  it('trusts only Warden’s function role, and only with the external id', () => {
    const { template, role } = load();
    const trust = role.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    const [statement] = trust as [Statement & { Principal: Json }];
    expect(statement.Effect).toBe('Allow');
    expect(actionList(statement)).toEqual(['sts:AssumeRole']);
    expect(statement.Principal).toEqual({ AWS: { Ref: 'WardenPrincipalArn' } });
    expect(statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
    expect(template.Parameters['ExternalId']?.['NoEcho']).toBe(true);
    expect(template.Parameters['WardenPrincipalArn']?.['AllowedPattern']).toBe('^arn:aws[a-z-]*:iam::\\d{12}:role/.+$');
    expect(role.RoleName).toEqual({ Ref: 'RoleName' });
    expect(template.Parameters['RoleName']?.['Default']).toBe('WardenAccess');
  });
});
