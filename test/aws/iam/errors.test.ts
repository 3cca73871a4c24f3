import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { describeAwsError, IamCallError, IamInventoryError } from '../../../src/errors';

const serviceError = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields['message'] ?? 'boom')), fields);

describe('describeAwsError', () => {
  it('prefers the wire code IAM sent', () => {
    const err = serviceError({ name: 'NoSuchEntityException', Code: 'NoSuchEntity', message: 'The user with name x cannot be found.' });

    expect(describeAwsError(err)).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name x cannot be found.',
      retryable: false,
      text: 'NoSuchEntity: The user with name x cannot be found.',
    });
  });

  it('maps modeled exception names to their wire codes', () => {
    const err = new NoSuchEntityException({ message: 'gone', $metadata: {} });

    expect(describeAwsError(err).code).toBe('NoSuchEntity');
  });

  it.each([
    ['ConcurrentModification', true],
    ['EntityTemporarilyUnmodifiable', true],
    ['Throttling', true],
    ['ServiceFailure', true],
    ['DeleteConflict', true],
    ['AccessDenied', false],
    ['InvalidInput', false],
    ['LimitExceeded', false],
  ])('classifies %s as retryable=%s', (code, retryable) => {
    expect(describeAwsError(serviceError({ name: code, Code: code })).retryable).toBe(retryable);
  });

  it('never retries AccessDenied even when the SDK marks it retryable', () => {
    expect(describeAwsError(serviceError({ name: 'AccessDenied', $retryable: {}, $metadata: { httpStatusCode: 403 } })).retryable).toBe(false);
  });

  it('treats network errors and 5xx as retryable', () => {
    expect(describeAwsError(serviceError({ code: 'ECONNREFUSED' }))).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect(describeAwsError(serviceError({ name: 'Weird', $metadata: { httpStatusCode: 502 } })).retryable).toBe(true);
  });

  it('looks through IamCallError to its cause', () => {
    const call = new IamCallError('ListUsers', serviceError({ Code: 'Throttling', message: 'slow down' }));

    expect(call).toMatchObject({ code: 'Throttling', retryable: true, api: 'ListUsers' });
    expect(describeAwsError(call).text).toBe('Throttling: slow down');
  });

  it('names account and API in inventory errors and keeps the cause', () => {
    const cause = serviceError({ Code: 'AccessDenied', message: 'no' });
    const err = new IamInventoryError('123456789012', 'GetAccountAuthorizationDetails', cause);

    expect(err.message).toBe('IAM inventory of account 123456789012 failed in GetAccountAuthorizationDetails: AccessDenied: no');
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('IamInventoryError');
  });
});
