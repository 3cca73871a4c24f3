import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as errors from '../../src/errors';
import { errorText, ExitCode, namedErrorText, WardenError } from '../../src/errors';

/** One instance of every error class src/errors.ts exports, built the way its throwers build it. */
const SAMPLES: Readonly<Record<string, Error>> = {
  WardenError: new errors.WardenError('why'),
  InputError: new errors.InputError('bad key'),
  AuditTamperedError: new errors.AuditTamperedError('edited', 3),
  SnapshotOrderError: new errors.SnapshotOrderError('older'),
  SnapshotLockTimeout: new errors.SnapshotLockTimeout('held'),
  AnchorError: new errors.AnchorError('not an anchor'),
  AssumeRoleError: new errors.AssumeRoleError('arn:aws:iam::111111111111:role/x', { cause: Object.assign(new Error('denied'), { name: 'AccessDenied' }) }),
  ParameterMissingError: new errors.ParameterMissingError(['/warden/a', '/warden/b']),
  HostScriptInputError: new errors.HostScriptInputError('not base64'),
  DocumentShapeError: new errors.DocumentShapeError('no set -- line'),
  ConfigError: new errors.ConfigError('warden.yaml: roster.path: required'),
  RosterUnreadableError: new errors.RosterUnreadableError('roster.csv', { cause: Object.assign(new Error('gone'), { code: 'ENOENT' }) }),
  CredentialReportFormatError: new errors.CredentialReportFormatError('no user column', { cause: new Error('csv') }),
  CsvSyntaxError: new errors.CsvSyntaxError('Quote Not Closed: the quoted field that starts on line 3 never ends', 3),
  IamDirectoryError: new errors.IamDirectoryError('IAM failed'),
  IamAccountUnknownError: new errors.IamAccountUnknownError('no account id'),
  IamAccountMismatchError: new errors.IamAccountMismatchError('111111111111', '222222222222'),
  IamInventoryError: new errors.IamInventoryError('111111111111', 'GetAccountAuthorizationDetails', Object.assign(new Error('denied'), { name: 'AccessDenied' })),
  IamDescribeError: new errors.IamDescribeError('111111111111', 'bob', 'ListAccessKeys', new Error('socket hang up')),
  IamCallError: new errors.IamCallError('UpdateAccessKey', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })),
  CampaignExistsError: new errors.CampaignExistsError('rev-sched-20270101T0900Z'),
};

describe('one error hierarchy (src/errors.ts)', () => {
  it('holds every error class Warden throws, each a WardenError named after itself', () => {
    const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error);
    expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const [name, error] of Object.entries(SAMPLES)) {
      expect(error).toBeInstanceOf(WardenError);
      expect(error).toBeInstanceOf(errors[name as keyof typeof errors] as unknown as new () => Error);
      expect(error.name).toBe(name);
    }
  });

  it('is the only file in src that declares an error class', () => {
    const src = path.resolve(__dirname, '../../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const declaring = files.filter((f) => /\bclass \w+ extends \w*Error\b/.test(readFileSync(path.join(src, f), 'utf8')));
    expect(declaring).toEqual(['errors.ts']);
  });

  it('keeps the exit codes the CLI maps', () => {
    expect(new errors.InputError('bad key').exitCode).toBe(ExitCode.usage);
    expect(new errors.AuditTamperedError('edited', 3).exitCode).toBe(ExitCode.auditChainBroken);
    expect(new errors.ConfigError('bad key').exitCode).toBe(ExitCode.usage);
    expect(new errors.HostScriptInputError('not base64').exitCode).toBe(ExitCode.runtime);
    expect(new errors.IamCallError('UpdateAccessKey', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))).toMatchObject({ exitCode: ExitCode.runtime, code: 'Throttling', retryable: true });
    expect(SAMPLES['AssumeRoleError']?.message).toBe(
      'cannot assume arn:aws:iam::111111111111:role/x: AccessDenied: denied',
    );
  });
});

describe('errorText', () => {
  it("gives an Error's message and anything else's string form", () => {
    expect(errorText(new errors.SnapshotOrderError('older than the latest'))).toBe('older than the latest');
    expect(errorText('plain text')).toBe('plain text');
    expect(errorText(42)).toBe('42');
    expect(errorText(undefined)).toBe('undefined');
    expect(namedErrorText(new TypeError('fetch failed'))).toBe('TypeError: fetch failed');
    expect(namedErrorText({ toString: () => 'odd' })).toBe('odd');
  });
});
