import { SlackAuthorizer, type SlackPrincipals, type UserGroupDirectory } from '../../src/adapters/slack/authorization';
import { createTestClock } from '../contract/audit-log.contract';

/*
 * Who holds which role, against an in-memory user-group directory that counts its reads and can
 * fail or hang on demand: people named directly do not depend on Slack answering, the two roles
 * never stand in for each other, and checks that arrive together share one group read.
 */

class FakeGroups implements UserGroupDirectory {
  readonly reads: string[] = [];
  failing = false;

  constructor(private readonly groups: Record<string, readonly string[]>) {}

  async userGroupMembers(userGroupId: string): Promise<readonly string[]> {
    this.reads.push(userGroupId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failing) throw new Error(`usergroups.users.list failed for ${userGroupId}`);
    return this.groups[userGroupId] ?? [];
  }
}

const nobody: SlackPrincipals = { userGroups: [], users: [] };

const authorizer = (directory: UserGroupDirectory, hr: SlackPrincipals, auditors: SlackPrincipals = nobody, errors: string[] = []) =>
  new SlackAuthorizer({ directory, hr, auditors, clock: createTestClock(), onLookupError: (group) => errors.push(group) });

describe('SlackAuthorizer roles', () => {
  it('admits a person named directly without reading any group, even when Slack cannot be read', async () => {
    const groups = new FakeGroups({ S0HR: ['U0OTHER'] });
    groups.failing = true;
    const errors: string[] = [];
    const auth = authorizer(groups, { users: ['U0NAMED'], userGroups: ['S0HR'] }, nobody, errors);

    expect(await auth.allows('U0NAMED', 'hr')).toBe(true);
    expect(groups.reads).toEqual([]);
    expect(await auth.allows('U0OTHER', 'hr')).toBe(false); // the group could not be read: fail closed
    expect(errors).toEqual(['S0HR']);
  });

  it('admits a person named directly when no groups are configured at all', async () => {
    const auth = authorizer(new FakeGroups({}), { users: ['U0NAMED'], userGroups: [] });

    expect(await auth.allows('U0NAMED', 'hr')).toBe(true);
    expect(await auth.allows('U0ELSE', 'hr')).toBe(false);
  });

  it('keeps the roles apart: HR is not an auditor and an auditor is not HR, named or through a group', async () => {
    const groups = new FakeGroups({ S0HR: ['U0HRG'], S0AUD: ['U0AUDG'] });
    const auth = authorizer(groups, { users: ['U0HR'], userGroups: ['S0HR'] }, { users: ['U0AUD'], userGroups: ['S0AUD'] });

    expect(await auth.rolesOf('U0HR')).toEqual({ hr: true, auditor: false });
    expect(await auth.rolesOf('U0HRG')).toEqual({ hr: true, auditor: false });
    expect(await auth.rolesOf('U0AUD')).toEqual({ hr: false, auditor: true });
    expect(await auth.rolesOf('U0AUDG')).toEqual({ hr: false, auditor: true });
    expect(await auth.rolesOf('U0NOBODY')).toEqual({ hr: false, auditor: false });
  });

  it('shares one group read between checks that arrive together, and reads each group once while cached', async () => {
    const groups = new FakeGroups({ S0HR: ['U0A', 'U0B'] });
    const auth = authorizer(groups, { users: [], userGroups: ['S0HR'] });

    const answers = await Promise.all([auth.allows('U0A', 'hr'), auth.allows('U0B', 'hr'), auth.allows('U0C', 'hr')]);

    expect(answers).toEqual([true, true, false]);
    expect(groups.reads).toEqual(['S0HR']);
    expect(await auth.allows('U0B', 'hr')).toBe(true);
    expect(groups.reads).toEqual(['S0HR']);
  });

  it('stops reading groups once one admits the person', async () => {
    const groups = new FakeGroups({ S0FIRST: ['U0A'], S0SECOND: ['U0B'] });
    const auth = authorizer(groups, { users: [], userGroups: ['S0FIRST', 'S0SECOND'] });

    expect(await auth.allows('U0A', 'hr')).toBe(true);
    expect(groups.reads).toEqual(['S0FIRST']);
    expect(await auth.allows('U0B', 'hr')).toBe(true);
    expect(groups.reads).toEqual(['S0FIRST', 'S0SECOND']);
  });
});
