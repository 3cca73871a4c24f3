import { actionHolds, actionUnverifiable, remainingAccess, unverifiedPaths } from '../../src/domain/verification';
import { ACCOUNT, createDummyAction, createDummyDetail } from '../fixtures/builders';

// What "no access left" means for Warden's deny-all: attached AND, when its default version is known, denying.
describe('remainingAccess and the deny-all', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
  const attached = createDummyDetail({ attachedPolicies: [{ name: 'warden-deny-all', arn }] });
  const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
  const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

  it('leaves nothing open when the attached deny-all denies, or its document is not known', () => {
    expect(remainingAccess(attached, arn, deny)).toEqual([]);
    expect(remainingAccess(attached, arn)).toEqual([]);
  });

  it('says it is attached but denies nothing when its default version allows, and missing when it is not attached', () => {
    expect(remainingAccess(attached, arn, allow)).toEqual([`deny-all policy ${arn} is attached but does not deny everything (its default version was changed)`]);
    expect(remainingAccess(createDummyDetail(), arn, deny)).toEqual([`deny-all policy ${arn} missing`]);
  });

  it('counts an inline deny-all when the managed one was changed', () => {
    const both = createDummyDetail({ attachedPolicies: [{ name: 'warden-deny-all', arn }], inlinePolicies: ['lock'], inlinePolicyDocuments: { lock: deny } });
    expect(remainingAccess(both, arn, allow)).toEqual([]);
  });
});

// Session 9's mutation run of this file: 48.7 %. Removing the active-credential check, the group check or the
// "deny-all unknown" guard survived every suite, since no test left anything open after a revocation on purpose.
describe('remainingAccess: what is still open after a revocation', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
  const denied = { attachedPolicies: [{ name: 'warden-deny-all', arn }] };
  const at = new Date('2026-01-01T00:00:00Z');

  it('names every credential still active, the console password and each group, and nothing inactive', () => {
    const detail = createDummyDetail({
      ...denied,
      accessKeys: [
        { id: 'AKIAOPEN000000000001', status: 'Active', createdAt: at },
        { id: 'AKIACLOSED0000000001', status: 'Inactive', createdAt: at },
      ],
      loginProfile: { createdAt: at },
      sshPublicKeys: [{ id: 'APKAOPEN', status: 'Active' }, { id: 'APKACLOSED', status: 'Inactive' }],
      signingCertificates: [{ id: 'CERTOPEN', status: 'Active' }],
      serviceSpecificCredentials: [{ id: 'ACCAOPEN', serviceName: 'codecommit.amazonaws.com', status: 'Active' }],
      groups: ['developers', 'admins'],
    });
    const open = remainingAccess(detail, arn);
    expect(open).toHaveLength(7);
    expect(open.filter((line) => /AKIAOPEN000000000001/.test(line))).toHaveLength(1);
    expect(open.some((line) => /CLOSED/.test(line))).toBe(false);
    expect(open).toEqual(expect.arrayContaining(['console password exists', 'member of group developers', 'member of group admins']));
    for (const id of ['APKAOPEN', 'CERTOPEN', 'ACCAOPEN']) expect(open.filter((line) => line.includes(id) && line.endsWith(' active'))).toHaveLength(1);
  });

  it('cannot say the deny-all is missing when the policies it would be among were not read, either of them', () => {
    const unread = (path: 'inline-policies' | 'attached-policies') => createDummyDetail({ unread: [{ path, api: 'ListThem', error: 'AccessDenied: no' }] });
    expect(remainingAccess(unread('inline-policies'), arn).filter((line) => line.startsWith('deny-all'))).toEqual([]);
    expect(remainingAccess(unread('attached-policies'), arn).filter((line) => line.startsWith('deny-all'))).toEqual([]);
    // Unread, each is named as not verified instead.
    expect(remainingAccess(unread('inline-policies'), arn)).toEqual(['inline policies not verified (ListThem failed: AccessDenied: no)']);
  });

  it('calls another attached policy no deny-all: the deny-all is missing, not changed', () => {
    const other = createDummyDetail({ attachedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    expect(remainingAccess(other, arn, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })).toEqual([`deny-all policy ${arn} missing`]);
  });
});

describe('which unread paths matter to an action', () => {
  const unread = createDummyDetail({
    unread: [
      { path: 'groups', api: 'ListGroupsForUser', error: 'AccessDenied: no' },
      { path: 'ssh-public-keys', api: 'ListSSHPublicKeys', error: 'AccessDenied: no' },
    ],
  });
  const removeGroup = createDummyAction('remove-from-group', 'bob', { groupName: 'admins' });
  const deactivateKey = createDummyAction('deactivate-access-key', 'bob', { accessKeyId: 'AKIABOB0000000000001' });

  it('lists only the unread paths the given actions change (every one without actions)', () => {
    expect(unverifiedPaths(unread, [removeGroup])).toEqual(['group memberships not verified (ListGroupsForUser failed: AccessDenied: no)']);
    expect(unverifiedPaths(unread, [deactivateKey])).toEqual([]);
    expect(unverifiedPaths(unread, [deactivateKey, removeGroup])).toEqual(['group memberships not verified (ListGroupsForUser failed: AccessDenied: no)']);
    expect(unverifiedPaths(unread)).toHaveLength(2);
  });

  it('calls an action unverifiable only when the path it reads was not read', () => {
    expect(actionUnverifiable(removeGroup, unread)).toBe(true);
    expect(actionUnverifiable(deactivateKey, unread)).toBe(false);
    expect(actionUnverifiable(removeGroup, createDummyDetail())).toBe(false);
    expect(actionUnverifiable(removeGroup, undefined)).toBe(false);
  });

  it('takes a user who is gone as a change that holds, and otherwise asks the action kind', () => {
    expect(actionHolds(removeGroup, undefined)).toBe(true);
    expect(actionHolds(removeGroup, createDummyDetail({ groups: ['admins'] }))).toBe(false);
    expect(actionHolds(removeGroup, createDummyDetail({ groups: ['developers'] }))).toBe(true);
  });
});
