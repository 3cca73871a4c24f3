import { buildContext, type PlanInput } from '../../src/domain/planning/context';
import type { AccountInventory, HostInventory, IamUser } from '../../src/domain/inventory';
import type { Person } from '../../src/domain/roster';
import { DEFAULT_POLICY_CHECKS, type PolicyCheckSettings } from '../../src/domain/policy-checks/posture';
import { runPolicyChecks } from '../../src/domain/policy-checks/checks';
import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';
import { ACCOUNT, NOW, createDummyAccount, createDummyPolicy, createDummyRoster } from '../fixtures/builders';

/** The policy-check suites' one account, roster and settings, built from a few overrides. */
export const DENY_ALL_ARN = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;

export interface Scenario {
  readonly people?: readonly Person[];
  readonly users?: readonly IamUser[];
  readonly account?: Partial<AccountInventory>;
  readonly hosts?: readonly HostInventory[];
  readonly settings?: Partial<PolicyCheckSettings>;
  readonly quarantined?: readonly string[];
}

export function input(s: Scenario): PlanInput {
  return {
    roster: createDummyRoster(s.people ?? []),
    inventory: {
      accounts: [createDummyAccount(s.users ?? [], { managedPolicyDocuments: { [DENY_ALL_ARN]: DENY_ALL_POLICY_DOCUMENT }, ...s.account })],
      hosts: s.hosts ?? [],
      accountErrors: [],
    },
    policy: createDummyPolicy({ checks: { ...DEFAULT_POLICY_CHECKS, ...s.settings } }),
    now: NOW,
    ...(s.quarantined !== undefined ? { quarantined: new Set(s.quarantined) } : {}),
  };
}

export const run = (s: Scenario) => runPolicyChecks(buildContext(input(s)), { ...DEFAULT_POLICY_CHECKS, ...s.settings });
