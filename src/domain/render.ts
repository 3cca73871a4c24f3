import { ACTION_KIND_TABLE, type ActionKind, type ActionTargets } from './action-kinds';
import type { Action, Finding, FindingKind, Plan } from './plan';
import type { InputError } from './roster';
import { terminalSafe } from './terminal-text';

/** Findings listed per kind before the rest is summarised as "… and N more". */
const FINDINGS_SHOWN_PER_KIND = 20;
const ERRORS_SHOWN = 50;

/** One short line saying what an action does, e.g. `deactivate access key AKIA…`. */
export function describeAction<K extends ActionKind>(action: { readonly kind: K; readonly target: ActionTargets[K] }): string {
  return ACTION_KIND_TABLE[action.kind].describe(action.target);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const describeError = (e: InputError): string =>
  `${e.source}${e.line !== undefined ? `:${e.line}` : ''}${e.column !== undefined ? ` [${e.column}]` : ''}: ${e.message}`;

function findingSubject(f: Finding): string {
  if (f.instanceId !== undefined) return f.userName !== undefined ? `${f.instanceId} ${f.userName}` : f.instanceId;
  if (f.account !== undefined) return f.userName !== undefined ? `${f.account}/${f.userName}` : `account ${f.account}`;
  return f.person?.email ?? '-';
}

interface PersonGroup {
  readonly header: string;
  readonly sortKey: string;
  readonly reasons: Set<string>;
  readonly users: Map<string, Action[]>;
}

function renderActions(actions: readonly Action[]): string[] {
  if (actions.length === 0) return ['Actions: none — nothing to revoke or remove.'];
  const groups = new Map<string, PersonGroup>();
  for (const action of actions) {
    const key = action.person !== undefined ? `p:${action.person.email}` : `u:${action.reason}`;
    let group = groups.get(key);
    if (group === undefined) {
      const header =
        action.person !== undefined
          ? `${action.person.email} (employee ${action.person.employeeId})`
          : action.reason === 'orphan'
            ? 'IAM users matching no one on the roster'
            : 'IAM users without a roster person';
      // People first (alphabetically), users without a person last.
      group = { header, sortKey: `${action.person !== undefined ? 0 : 1}${key}`, reasons: new Set(), users: new Map() };
      groups.set(key, group);
    }
    group.reasons.add(action.reason);
    const userKey = `account ${action.account}, user ${action.userName}`;
    const list = group.users.get(userKey);
    if (list === undefined) group.users.set(userKey, [action]);
    else list.push(action);
  }
  const lines = [`Actions (${actions.length}), by person:`];
  for (const group of [...groups.values()].sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1))) {
    lines.push('', `  ${group.header} — ${[...group.reasons].sort().join(', ')}`);
    for (const [user, userActions] of group.users) {
      lines.push(`    ${user}`);
      for (const action of userActions) lines.push(`      - ${describeAction(action)}`);
    }
  }
  return lines;
}

function renderFindings(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ['Findings: none.'];
  const byKind = new Map<FindingKind, Finding[]>();
  for (const finding of findings) {
    const list = byKind.get(finding.kind);
    if (list === undefined) byKind.set(finding.kind, [finding]);
    else list.push(finding);
  }
  const lines = [`Findings (${findings.length}), by kind:`];
  // Findings arrive most severe first, so kinds appear in order of their worst finding.
  for (const [kind, list] of byKind) {
    lines.push('', `  ${kind} (${list.length})`);
    for (const finding of list.slice(0, FINDINGS_SHOWN_PER_KIND)) {
      lines.push(`    [${finding.severity}] ${findingSubject(finding)}: ${finding.detail}`);
    }
    if (list.length > FINDINGS_SHOWN_PER_KIND) lines.push(`    … and ${list.length - FINDINGS_SHOWN_PER_KIND} more (see --json)`);
  }
  return lines;
}

function renderErrors(errors: readonly InputError[]): string[] {
  if (errors.length === 0) return [];
  const lines = [`Input errors (${errors.length}); these people get no automatic action:`];
  for (const error of errors.slice(0, ERRORS_SHOWN)) lines.push(`  ${describeError(error)}`);
  if (errors.length > ERRORS_SHOWN) lines.push(`  … and ${errors.length - ERRORS_SHOWN} more (see --json)`);
  return lines;
}

/** Each leaver's live sessions, one line each, with the roles still open under it. */
function renderSessions(plan: Plan): string[] {
  const sessions = plan.sessions ?? [];
  if (sessions.length === 0) return [];
  const lines = [`Sessions (${sessions.length} ${sessions.length === 1 ? 'leaver' : 'leavers'}):`];
  for (const s of sessions) {
    lines.push(`  ${s.person?.email ?? '-'} (account ${s.account}, user ${s.userName}): ${s.words}`);
    for (const p of s.principals) lines.push(`    - ${p.arn}: ${p.words}`);
  }
  return lines;
}

function renderGuard(plan: Plan): string[] {
  if (!plan.guard.tripped) return ['Guard: ok.'];
  const overridden = plan.guard.overriddenBy !== undefined ? ` (overridden by ${plan.guard.overriddenBy})` : ' — nothing will be applied';
  return [`Guard: TRIPPED${overridden}`, ...plan.guard.reasons.map((reason) => `  - ${reason}`)];
}

/** The plan as text for people (what `warden plan` prints): actions by person and account, findings by kind, errors, guard. */
export function renderPlanText(plan: Plan): string {
  const { summary } = plan;
  const sections: string[][] = [
    [
      `Warden plan, generated ${plan.generatedAt}`,
      `${summary.people} ${summary.people === 1 ? 'person' : 'people'} on the roster, ${plural(summary.iamUsers, 'IAM user')}: ` +
        `${plural(summary.actions, 'action')}, ${plural(summary.findings, 'finding')}, ${plural(plan.errors.length, 'input error')}.`,
    ],
    renderActions(plan.actions),
    renderSessions(plan),
    renderFindings(plan.findings),
    renderErrors(plan.errors),
    renderGuard(plan),
  ];
  // Each line is one line: a line break or control character inside a name or message is shown, never obeyed.
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.map((line) => terminalSafe(line)).join('\n'))
    .join('\n\n')}\n`;
}
