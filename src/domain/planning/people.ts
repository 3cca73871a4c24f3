import { citation } from '../controls';
import type { Finding } from '../plan';
import { personRef } from '../roster';
import { formatInZone } from '../time';
import { makeFinding } from './build';
import { type PlanContext, type PlanPart, phaseIn } from './context';
import { usersOf } from './iam';

/**
 * Findings about people rather than users: scheduled departures, active people whose end_date has passed (kept active:
 * HR's status is authoritative and revoking on a stale date would lock out someone whose contract was extended), and
 * leavers with no IAM user anywhere (evidence that nothing was left). People on leave keep their access and get no
 * people-level finding: their users are checked like anyone working.
 */
export function planPeople(context: PlanContext): PlanPart {
  const { roster, policy, now, inventory } = context.input;
  const findings: Finding[] = [];
  const accountsRead = inventory.accounts.length;
  const unreadable = inventory.accountErrors.length;
  for (const person of roster.people) {
    const phase = phaseIn(context, person);
    const ref = personRef(person);
    const users = usersOf(context, person);
    const userList = users.length > 0 ? `IAM users: ${users.join(', ')}` : 'no IAM users';
    const marked = person.departureMarkedBy !== undefined ? `, marked by ${person.departureMarkedBy}` : '';
    switch (phase.kind) {
      case 'scheduled':
        findings.push(
          makeFinding(
            'scheduled-departure',
            'info',
            'offboarding-24h',
            { person: ref },
            `access ends at ${formatInZone(phase.endAt, policy.timezone)} (${phase.endAt.toISOString()}${marked}); ` +
              `access is revoked on the first run after that; ${userList}`,
          ),
        );
        break;
      case 'working':
        if (person.endAt !== undefined && person.endAt.getTime() <= now.getTime()) {
          findings.push(
            makeFinding(
              'active-past-end-date',
              'medium',
              'offboarding-24h',
              { person: ref },
              `active on the roster, but access should have ended at ${formatInZone(person.endAt, policy.timezone)}; ` +
                `nothing was revoked — set status to departed if they left (${citation('offboarding-24h')}); ${userList}`,
            ),
          );
        }
        break;
      case 'stop-access':
      case 'delete':
        if (!context.peopleWithUsers.has(person)) {
          const ended = phase.endAt !== undefined ? `access ended ${formatInZone(phase.endAt, policy.timezone)}` : 'departed (no end_date)';
          const gaps = unreadable > 0 ? `; ${unreadable} account${unreadable > 1 ? 's' : ''} could not be read` : '';
          findings.push(
            makeFinding(
              'departed-without-iam-user',
              'info',
              'offboarding-24h',
              { person: ref },
              `${ended}${marked}; no IAM user in the ${accountsRead} account${accountsRead === 1 ? '' : 's'} read${gaps}`,
            ),
          );
        }
        break;
      case 'on-leave':
        break;
    }
  }
  return { actions: [], findings };
}
