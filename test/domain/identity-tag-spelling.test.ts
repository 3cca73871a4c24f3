import { createIdentityMatcher, type IdentityMatch } from '../../src/domain/identity';
import type { Person } from '../../src/domain/roster';
import { createDummyPerson, createDummyUser } from '../fixtures/builders';

/*
 * IAM tag keys are case-sensitive, so one user can carry both `email` and `Email` (or `employee_id` and
 * `Employee_ID`). Warden reads tag keys case-insensitively, but the configured spelling is the one the
 * organisation writes on purpose: when both are present it wins, whatever order the tags arrive in.
 */

const options = { employeeIdTag: 'employee_id', emailTag: 'email' };
const ann = createDummyPerson({ employeeId: 'E100', email: 'ann@example.com', awsUsernames: [] });
const ben = createDummyPerson({ employeeId: 'E200', email: 'ben@example.com', awsUsernames: [] });

const match = (tags: Record<string, string>): IdentityMatch =>
  createIdentityMatcher([ann, ben] as readonly Person[], [], options).match(createDummyUser({ userName: 'svc-x1', tags }));

describe('identity: a tag key in two spellings', () => {
  it('the exact `email` spelling wins over `Email` listed before it', () => {
    expect(match({ Email: 'ben@example.com', email: 'ann@example.com' })).toEqual({ kind: 'matched', person: ann, rule: 'email-tag' });
  });

  it('the exact `email` spelling wins over `EMAIL` listed after it', () => {
    expect(match({ email: 'ann@example.com', EMAIL: 'ben@example.com' })).toEqual({ kind: 'matched', person: ann, rule: 'email-tag' });
  });

  it('the exact `employee_id` spelling wins over `Employee_ID` listed before it', () => {
    expect(match({ Employee_ID: 'E200', employee_id: 'E100' })).toEqual({ kind: 'matched', person: ann, rule: 'employee-id-tag' });
  });

  it('another spelling is still read when the exact one is absent', () => {
    expect(match({ Email: ' Ben@Example.com ' })).toEqual({ kind: 'matched', person: ben, rule: 'email-tag' });
  });
});
