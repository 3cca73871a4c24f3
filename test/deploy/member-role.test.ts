import path from 'node:path';
import { NO_RESOURCE_LEVEL } from './policy-rules';
import { ROOT, actionList, actionsOf, readCloudFormationYaml, resourceList, resourceText, sdkCalls } from './sdk-calls';
import type { Json, Statement } from './sdk-calls';

const TEMPLATE = path.join(ROOT, 'deploy/member-account-role.yaml');

interface RoleProperties {
  AssumeRolePolicyDocument: { Statement: Statement[] };
  Policies: { PolicyDocument: { Statement: Statement[] } }[];
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
  it('grants exactly the IAM calls the code makes: no more, no less', () => {
    const { role } = load();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const granted = statements.flatMap(actionList);
    expect(new Set(granted).size).toBe(granted.length);
    const iamCalls = [...actionsOf(sdkCalls())].filter((a) => a.startsWith('iam:'));
    expect(iamCalls.length).toBeGreaterThan(25);
    expect([...granted].sort()).toEqual(iamCalls.sort());
  });

  it('has no wildcard actions, and "*" resources only where IAM has no resource-level permissions', () => {
    const { role } = load();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.flatMap(actionList).filter((a) => a.includes('*'))).toEqual([]);
    const anywhere = statements.filter((s) => resourceList(s).includes('*'));
    expect(anywhere.flatMap(actionList).filter((a) => !NO_RESOURCE_LEVEL.has(a))).toEqual([]);
    const scoped = statements.filter((s) => !anywhere.includes(s)).flatMap((s) => resourceList(s).map(resourceText));
    expect(scoped.length).toBeGreaterThan(0);
    for (const r of scoped) expect(r).toMatch(/^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:(user|group|mfa)\/\*$/);
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
