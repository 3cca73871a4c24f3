import path from 'node:path';
import { accessPolicyOf, ConfigError, loadConfig, parseConfig } from '../../src/config/load';

const repo = path.resolve(__dirname, '../..');

describe('config', () => {
  it('accepts the documented example and the demo config', () => {
    const example = loadConfig(path.join(repo, 'config/warden.example.yaml'));
    expect(example.config.orphans).toBe('report');
    expect(example.config.slack?.secondApproverFor).toBe('admins');
    const demo = loadConfig(path.join(repo, 'config/demo/warden.yaml'));
    expect(demo.rosterPath).toBe(path.join(repo, 'config/demo/roster.csv'));
    expect(demo.sqlitePath).toBe(path.join(repo, 'config/demo/warden.db'));
  });

  it('fills defaults for a minimal config', () => {
    const { config } = parseConfig('roster: { path: people.csv }\n', '/etc/warden/warden.yaml');
    expect(config.timezone).toBe('UTC');
    expect(config.deleteAfterDays).toBe(30);
    expect(config.guard).toEqual({ maxRevocations: 50, maxHeadcountDropPercent: 20 });
    expect(config.audit).toEqual({ store: 'sqlite', path: '.warden/warden.db' });
    expect(accessPolicyOf(config).denyAllPolicyName).toBe('warden-deny-all');
  });

  it('keeps system and shared host accounts out of any person\'s reach, by default and as configured', () => {
    const byDefault = accessPolicyOf(parseConfig('roster: { path: r.csv }\nhosts: {}\n', '/etc/w.yaml').config).hosts;
    expect(byDefault.minUid).toBe(1000);
    expect(byDefault.sharedAccounts).toEqual(expect.arrayContaining(['root', 'ec2-user', 'ubuntu', 'ssm-user']));
    const set = accessPolicyOf(parseConfig('roster: { path: r.csv }\nhosts: { minUid: 500, sharedAccounts: [deploy] }\n', '/etc/w.yaml').config).hosts;
    expect([set.minUid, set.sharedAccounts]).toEqual([500, ['deploy']]);
    expect(() => parseConfig('roster: { path: r.csv }\nhosts: { minUid: 0 }\n', '/etc/w.yaml')).toThrow(/hosts\.minUid/);
  });

  it('resolves relative paths against the config file folder', () => {
    const loaded = parseConfig('roster: { path: ../hr/roster.csv }\naudit: { store: sqlite, path: db/w.db }\n', '/srv/warden/conf/warden.yaml');
    expect(loaded.rosterPath).toBe('/srv/warden/hr/roster.csv');
    expect(loaded.sqlitePath).toBe('/srv/warden/conf/db/w.db');
  });

  it.each([
    ['timezone: Mars/Olympus\nroster: { path: r.csv }\n', /timezone: must be an IANA time zone/],
    ['roster: {}\n', /roster\.path: is required/],
    ['{}\n', /roster: is required/],
    ['roster: { path: r.csv }\norphan: report\n', /unknown key orphan/],
    ['roster: { path: r.csv }\norphans: delete\n', /orphans: /],
    ['roster: { path: r.csv }\ndeleteAfterDays: -1\n', /deleteAfterDays: /],
    ['roster: { path: r.csv }\naccounts: [{ id: "12" }]\n', /accounts\.0\.id: must be a 12-digit AWS account id/],
    ['roster: { path: r.csv }\nslack: { channel: general }\n', /slack\.channel: must be a Slack channel id/],
    ['roster: [unclosed\n', /not valid YAML/],
  ])('rejects %j naming the key', (text, message) => {
    expect(() => parseConfig(text, 'warden.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(text, 'warden.yaml')).toThrow(message);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadConfig('/nonexistent/warden.yaml')).toThrow('cannot read config /nonexistent/warden.yaml: no such file');
  });

  it('reads identityCenter.roleArn and externalId, and refuses an external id without a role or a role that is not an IAM role ARN', () => {
    const ic = (extra: string): string => `roster: { path: r.csv }\nidentityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-7223c0ffee5a4b3c", identityStoreId: d-9067c0ffee${extra} }\n`;
    expect(parseConfig(ic(', roleArn: "arn:aws:iam::999999999999:role/WardenIdentityCenter", externalId: warden-7f3a'), '/etc/w.yaml').config.identityCenter).toMatchObject({
      roleArn: 'arn:aws:iam::999999999999:role/WardenIdentityCenter',
      externalId: 'warden-7f3a',
    });
    expect(() => parseConfig(ic(', externalId: warden-7f3a'), '/etc/w.yaml')).toThrow(/identityCenter\.externalId/);
    expect(() => parseConfig(ic(', roleArn: "arn:aws:iam::*:role/WardenIdentityCenter"'), '/etc/w.yaml')).toThrow(/identityCenter\.roleArn/);
  });
});
