import { remainingAccess } from '../../src/domain/verification';
import { ACCOUNT, createDummyDetail } from '../fixtures/builders';

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
