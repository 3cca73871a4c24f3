import { grantProblems } from './grant-rules';
import type { Statement } from './sdk-calls';

const context = { denyAllPolicy: { Ref: 'WardenDenyAllPolicy' }, hostTag: { Ref: 'HostTagValue' } };
const USERS = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*' };
const allow = (Action: string[], extra: Partial<Statement> = {}): Statement => ({ Sid: 'S', Effect: 'Allow', Action, Resource: USERS, ...extra });

describe('the check that Warden\'s role cannot grant access', () => {
  it('passes what Warden needs: cutting access, and attaching only its own deny-all', () => {
    expect(
      grantProblems(
        [
          allow(['iam:UpdateAccessKey', 'iam:DeleteLoginProfile', 'iam:DetachUserPolicy', 'iam:RemoveUserFromGroup']),
          allow(['iam:AttachUserPolicy'], { Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: 'WardenDenyAllPolicy' } } } }),
        ],
        context,
      ),
    ).toEqual([]);
  });

  it.each([
    [['iam:PutUserPolicy'], 'iam:PutUserPolicy'],
    [['iam:CreateAccessKey'], 'iam:CreateAccessKey'],
    [['iam:CreateLoginProfile'], 'iam:CreateLoginProfile'],
    [['iam:AddUserToGroup'], 'iam:AddUserToGroup'],
    [['iam:PutGroupPolicy'], 'iam:PutGroupPolicy'],
    [['iam:AttachGroupPolicy'], 'iam:AttachGroupPolicy'],
    [['iam:CreatePolicyVersion'], 'iam:CreatePolicyVersion'],
    [['iam:PassRole'], 'iam:PassRole'],
    [['iam:Put*'], 'iam:Put* covers iam:PutUserPolicy'],
    [['iam:*'], 'iam:* covers iam:CreateAccessKey'],
    [['*'], '* covers iam:AddUserToGroup'],
  ])('fails on %j', (actions, problem) => {
    expect(grantProblems([allow(actions)], context)).toContainEqual(`S: ${problem}`);
  });

  it('accepts iam:PutRolePolicy only in its own spelled-out statement (the session denies), never elsewhere or by wildcard', () => {
    const ROLES = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' };
    const own = { Sid: 'IamRoleSessionDenies', Effect: 'Allow', Action: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'], Resource: ROLES } as Statement;
    expect(grantProblems([own], context)).toEqual([]);
    expect(grantProblems([{ ...own, Sid: 'Other' }], context)).toEqual(['Other: iam:PutRolePolicy']);
    expect(grantProblems([{ ...own, Action: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy'] }], context)).toContainEqual('IamRoleSessionDenies: iam:PutRolePolicy');
    expect(grantProblems([{ ...own, Action: ['iam:*RolePolicy'] }], context)).toContainEqual('IamRoleSessionDenies: iam:*RolePolicy covers iam:PutRolePolicy');
  });

  it('fails on iam:AttachUserPolicy without the PolicyARN condition, with a loose one, or pinned to another policy', () => {
    expect(grantProblems([allow(['iam:AttachUserPolicy'])], context)[0]).toMatch(/AttachUserPolicy without iam:PolicyARN/);
    expect(grantProblems([allow(['iam:AttachUserPolicy'], { Condition: { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::*:policy/*' } } })], context)).toHaveLength(1);
    expect(grantProblems([allow(['iam:AttachUserPolicy'], { Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } } })], context)).toHaveLength(1);
    expect(grantProblems([allow(['iam:Attach*'], { Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: 'WardenDenyAllPolicy' } } } })], context)).toContainEqual(
      'S: iam:Attach* covers iam:AttachGroupPolicy',
    );
    expect(grantProblems([{ Sid: 'S', Effect: 'Allow', NotAction: ['iam:DeleteUser'], Resource: '*' } as unknown as Statement], context)).toContainEqual('S: NotAction in an Allow grants everything it does not name');
  });

  it('fails on an unconditioned ssm:SendCommand or one on AWS-RunShellScript', () => {
    const instances = { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*' };
    expect(grantProblems([{ Sid: 'S', Effect: 'Allow', Action: ['ssm:SendCommand'], Resource: [instances] }], context)[0]).toMatch(/without the Warden tag condition/);
    expect(
      grantProblems([{ Sid: 'S', Effect: 'Allow', Action: ['ssm:SendCommand'], Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript' }] }], context),
    ).toHaveLength(1);
  });
});
