import { jsonService, jsonReply, errorReply, type ServiceCall, type ServiceHandler, type ServiceReply } from './service';

/** Account states AWS Organizations reports (`State`, which replaces the retired `Status`). */
export type OrganizationAccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/** An account the organization lists that has no IAM state in the sandbox (a suspended or closing one, say). */
export interface ExtraOrganizationAccount {
  readonly id: string;
  readonly name?: string;
  readonly state: OrganizationAccountState;
}

export interface OrganizationsSandboxOptions {
  /** Only this account may list the organization's accounts (default: the sandbox's first account). */
  readonly managementAccount?: string;
  /** Delegated administrators, who may list accounts too. */
  readonly delegatedAdministrators?: readonly string[];
  readonly organizationId?: string;
  /** Listed besides the sandbox's own accounts (which are all ACTIVE). */
  readonly extraAccounts?: readonly ExtraOrganizationAccount[];
}

/** AWS's page size limit for ListAccounts. */
export const LIST_ACCOUNTS_MAX_RESULTS = 20;

interface ListedAccount {
  readonly id: string;
  readonly name: string;
  readonly state: OrganizationAccountState;
}

const legacyStatus = (state: OrganizationAccountState): string =>
  state === 'CLOSED' ? 'SUSPENDED' : state === 'PENDING_ACTIVATION' ? 'ACTIVE' : state;

const encodeToken = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64');

function decodeToken(token: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/**
 * AWS Organizations (awsJson1_1, `AWSOrganizationsV20161128`) over the sandbox's accounts: ListAccounts
 * with AWS's page limit (1-20), NextToken paging and the management-account-only rule. Register it with
 * `startSandbox({ extraServices: [organizationsService()] })` or `sandbox.registerService(...)`.
 */
export function organizationsService(options: OrganizationsSandboxOptions = {}): ServiceHandler {
  const organizationId = options.organizationId ?? 'o-sandbox0001';
  const listed = (call: ServiceCall): ListedAccount[] => {
    const own = call.state.accountIds().map((id): ListedAccount => ({ id, name: call.state.account(id)?.name ?? id, state: 'ACTIVE' }));
    const extra = (options.extraAccounts ?? []).map((a): ListedAccount => ({ id: a.id, name: a.name ?? a.id, state: a.state }));
    return [...own, ...extra];
  };
  const management = (call: ServiceCall): string => options.managementAccount ?? call.state.accountIds()[0] ?? '';

  const listAccounts = (call: ServiceCall): ServiceReply => {
    const manager = management(call);
    if (call.account !== manager && !(options.delegatedAdministrators ?? []).includes(call.account)) {
      return errorReply('AccessDeniedException', "You don't have permissions to access this resource.", 400);
    }
    const input = (call.input ?? {}) as { MaxResults?: unknown; NextToken?: unknown };
    const max = input.MaxResults === undefined ? LIST_ACCOUNTS_MAX_RESULTS : input.MaxResults;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > LIST_ACCOUNTS_MAX_RESULTS) {
      return errorReply('InvalidInputException', `You provided a value that does not match the required pattern. MaxResults must be between 1 and ${LIST_ACCOUNTS_MAX_RESULTS}.`, 400);
    }
    let offset = 0;
    if (input.NextToken !== undefined) {
      const decoded = typeof input.NextToken === 'string' ? decodeToken(input.NextToken) : undefined;
      if (decoded === undefined) return errorReply('InvalidInputException', 'The NextToken is not valid.', 400);
      offset = decoded;
    }
    const all = listed(call);
    const page = all.slice(offset, offset + max);
    const next = offset + max < all.length ? encodeToken(offset + max) : undefined;
    return jsonReply({
      Accounts: page.map((a) => ({
        Id: a.id,
        Arn: `arn:aws:organizations::${manager}:account/${organizationId}/${a.id}`,
        Email: `aws+${a.id}@example.com`,
        Name: a.name,
        State: a.state,
        Status: legacyStatus(a.state),
        JoinedMethod: a.id === manager ? 'CREATED' : 'INVITED',
      })),
      ...(next !== undefined ? { NextToken: next } : {}),
    });
  };

  return jsonService({ name: 'organizations', targetPrefix: 'AWSOrganizationsV20161128', actions: { ListAccounts: listAccounts } });
}
