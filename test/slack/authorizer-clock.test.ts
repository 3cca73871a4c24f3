import { SlackAuthorizer, type UserGroupDirectory } from '../../src/adapters/slack/authorization';
import { WebClientSlackWeb } from '../../src/adapters/slack/web';
import { createTestClock, type TestClock } from '../contract/audit-log.contract';
import { FakeSlackApi } from '../fakes/fake-slack-api';

/*
 * The authorizer against the fake Slack Web API over HTTP (usergroups.users.list through the real
 * WebClient), on a test clock: membership is trusted for `cacheTtlMs` and no longer, and a lookup
 * slower than `lookupTimeoutMs` grants nothing.
 */

const HR_GROUP = 'S0HR';
const HANNA = 'U0HANNA';
const OTHER = 'U0OTHER';

describe('SlackAuthorizer on a test clock', () => {
  let slack: FakeSlackApi;
  let web: WebClientSlackWeb;
  let clock: TestClock;

  beforeEach(async () => {
    slack = await new FakeSlackApi({ userGroups: { [HR_GROUP]: [HANNA, OTHER] } }).start();
    web = WebClientSlackWeb.create({ token: 'xoxb-test', apiUrl: slack.apiUrl, clientOptions: { retryConfig: { retries: 0 } } });
    clock = createTestClock('2026-11-26T12:00:00.000Z');
  });

  afterEach(async () => {
    await slack.close();
  });

  const authorizer = (options: { cacheTtlMs?: number; lookupTimeoutMs?: number; directory?: UserGroupDirectory; errors?: unknown[] } = {}) =>
    new SlackAuthorizer({
      directory: options.directory ?? web,
      hr: { userGroups: [HR_GROUP], users: [] },
      auditors: { userGroups: [], users: [] },
      clock,
      ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
      ...(options.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: options.lookupTimeoutMs } : {}),
      onLookupError: (_group, error) => options.errors?.push(error),
    });

  const groupReads = () => slack.callsTo('usergroups.users.list').length;

  it('a person removed from the HR group keeps access only until the cache lifetime ends', async () => {
    const auth = authorizer({ cacheTtlMs: 60_000 });
    expect(await auth.allows(HANNA, 'hr')).toBe(true);
    expect(groupReads()).toBe(1);

    slack.setUserGroup(HR_GROUP, [OTHER]);

    clock.advance(59_999);
    expect(await auth.allows(HANNA, 'hr')).toBe(true); // still inside the lifetime: served from the cache
    expect(groupReads()).toBe(1);

    clock.advance(1); // exactly at the lifetime: no longer trusted
    expect(await auth.allows(HANNA, 'hr')).toBe(false);
    expect(groupReads()).toBe(2);
    expect(await auth.allows(OTHER, 'hr')).toBe(true);
  });

  it('the default lifetime is five minutes', async () => {
    const auth = authorizer();
    expect(await auth.allows(HANNA, 'hr')).toBe(true);
    slack.setUserGroup(HR_GROUP, [OTHER]);

    clock.advance(5 * 60_000 - 1);
    expect(await auth.allows(HANNA, 'hr')).toBe(true);
    clock.advance(1);
    expect(await auth.allows(HANNA, 'hr')).toBe(false);
  });

  it('a lifetime counts from when the lookup answered, and a new member is admitted after it', async () => {
    const auth = authorizer({ cacheTtlMs: 1000 });
    const NEWCOMER = 'U0NEW';
    expect(await auth.allows(NEWCOMER, 'hr')).toBe(false);
    slack.setUserGroup(HR_GROUP, [HANNA, OTHER, NEWCOMER]);
    expect(await auth.allows(NEWCOMER, 'hr')).toBe(false);
    clock.advance(1000);
    expect(await auth.allows(NEWCOMER, 'hr')).toBe(true);
  });

  it('a group lookup slower than its timeout grants nothing, and the denial is not cached', async () => {
    const errors: unknown[] = [];
    let delayMs = 400;
    const slow: UserGroupDirectory = {
      userGroupMembers: async (group) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return web.userGroupMembers(group);
      },
    };
    const auth = authorizer({ lookupTimeoutMs: 100, directory: slow, errors });

    const started = Date.now();
    expect(await auth.allows(HANNA, 'hr')).toBe(false);
    expect(Date.now() - started).toBeLessThan(400); // answered at the deadline, not when Slack finally replied
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/S0HR took over 100 ms/) })]);

    delayMs = 0;
    expect(await auth.allows(HANNA, 'hr')).toBe(true);
  });

  it('a lookup inside its timeout is honoured', async () => {
    const slowish: UserGroupDirectory = {
      userGroupMembers: async (group) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return web.userGroupMembers(group);
      },
    };
    expect(await authorizer({ lookupTimeoutMs: 2000, directory: slowish }).allows(HANNA, 'hr')).toBe(true);
  });

  it('the default timeout is one second', async () => {
    const errors: unknown[] = [];
    const slow: UserGroupDirectory = {
      userGroupMembers: async (group) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return web.userGroupMembers(group);
      },
    };
    expect(await authorizer({ directory: slow, errors }).allows(HANNA, 'hr')).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/took over 1000 ms/) })]);
  });
});
