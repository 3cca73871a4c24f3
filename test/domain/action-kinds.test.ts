import { ACTION_KIND_ORDER, ACTION_KIND_TABLE, ACTION_KINDS, CREDENTIAL_KINDS, IAM_PLANE_CALLS, IDENTITY_CENTER_PLANE_CALLS, isHostKind, isIdentityCenterKind, isRoleKind } from '../../src/domain/action-kinds';
import { makeAction } from '../../src/domain/planning/build';
import type { Action } from '../../src/domain/plan';

const fields = { account: '111122223333', userName: 'bob', reason: 'departed', control: 'offboarding-24h' } as const;

describe('the action-kind table', () => {
  it('gives every kind its own place in a plan: deny-all first, then credentials, deletion last', () => {
    const orders = ACTION_KINDS.map((kind) => ACTION_KIND_ORDER[kind]);
    expect(new Set(orders).size).toBe(ACTION_KINDS.length);
    const byOrder = [...ACTION_KINDS].sort((a, b) => ACTION_KIND_ORDER[a] - ACTION_KIND_ORDER[b]);
    expect(byOrder[0]).toBe('attach-deny-all');
    expect(byOrder.at(-1)).toBe('delete-user');
    expect(byOrder.slice(1, 1 + CREDENTIAL_KINDS.length)).toEqual(CREDENTIAL_KINDS);
  });

  it('says how every IAM kind but deletion is re-read (from the user, or from the role for role kinds), and no host kind', () => {
    for (const kind of ACTION_KINDS) {
      const { plane, reads, readsRole } = ACTION_KIND_TABLE[kind];
      const role = readsRole === true;
      const expected = isHostKind(kind) ? 'host' : isIdentityCenterKind(kind) ? 'identity-center' : 'iam';
      expect({ kind, plane, reads: reads !== undefined || role }).toEqual({ kind, plane: expected, reads: plane === 'iam' && kind !== 'delete-user' });
      expect({ kind, role }).toEqual({ kind, role: isRoleKind(kind) });
    }
  });

  it('lists calls of the right plane for every kind, and the IAM plane calls only IAM', () => {
    for (const kind of ACTION_KINDS) {
      const { plane, calls } = ACTION_KIND_TABLE[kind];
      expect(calls.length).toBeGreaterThan(0);
      const prefixes = plane === 'iam' ? ['iam:'] : plane === 'host' ? ['ssm:'] : ['sso:', 'identitystore:'];
      expect({ kind, foreign: calls.filter((c) => !prefixes.some((p) => c.startsWith(p))) }).toEqual({ kind, foreign: [] });
    }
    expect(IAM_PLANE_CALLS.every((c) => c.startsWith('iam:'))).toBe(true);
    expect(IDENTITY_CENTER_PLANE_CALLS.every((c) => c.startsWith('sso:') || c.startsWith('identitystore:'))).toBe(true);
  });

  it("writes Plan JSON's plane for host and Identity Center actions, and leaves it out for IAM (absent means iam)", () => {
    expect(makeAction('deactivate-access-key', fields, { accessKeyId: 'AKIA1' })).not.toHaveProperty('plane');
    expect(makeAction('lock-host-user', fields, { instanceId: 'i-1', osUser: 'bob' }).plane).toBe('host');
    expect(makeAction('delete-ic-user', fields, { userId: 'u-1' }).plane).toBe('identity-center');
  });

  it('types each kind with its own target', () => {
    const action: Action = makeAction('deactivate-access-key', fields, { accessKeyId: 'AKIA1' });
    expect(action.target).toEqual({ accessKeyId: 'AKIA1' });
    // @ts-expect-error a group target is not an access key's
    makeAction('deactivate-access-key', fields, { groupName: 'developers' });
    // @ts-expect-error not a kind
    makeAction('delete-everything', fields, {});
  });
});
