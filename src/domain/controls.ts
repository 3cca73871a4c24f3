import type { Control } from './plan';

/** A security-policy control: the clause of the company policy (docs/reference/security-policy.txt) it enforces. */
export interface ControlDefinition {
  readonly control: Control;
  readonly title: string;
  /** The policy section the clause sits in. */
  readonly section: string;
  /** The clause, quoted verbatim from the policy. */
  readonly clause: string;
  /** The few words of the clause that findings quote (a verbatim part of `clause`). */
  readonly quote: string;
}

/** Every control Warden enforces, with the policy text it cites. */
export const CONTROLS: Readonly<Record<Control, ControlDefinition>> = {
  'offboarding-24h': {
    control: 'offboarding-24h',
    title: 'Removal of leavers within 24 hours',
    section: 'Systems and Information Access Control / Access Policies and Procedures',
    clause:
      'Person who is no longer affiliated with actiTIME is restricted from accessing any actiTIME servers within 24 hours. ' +
      'User accounts of terminated staff are promptly disabled and removed.',
    quote: 'restricted from accessing any actiTIME servers within 24 hours',
  },
  'least-privilege': {
    control: 'least-privilege',
    title: 'Least privilege by job role',
    section: 'Systems and Information Access Control / Access Policies and Procedures',
    clause:
      'Access to corporate and production environments is strictly limited in accordance with the job roles. ' +
      'Users are only minimally given sufficient access rights to enable them to perform their job function.',
    quote: 'minimally given sufficient access rights to enable them to perform their job function',
  },
  'credential-hygiene': {
    control: 'credential-hygiene',
    title: 'Credential hygiene',
    section: 'Systems and Information Access Control / Secure Authentication',
    clause:
      'actiTIME staff members are required to use personal usernames and complex passwords, which should not be shared among users. ' +
      'Default passwords on all systems are changed after installation and changed periodically.',
    quote: 'changed after installation and changed periodically',
  },
  'access-logging': {
    control: 'access-logging',
    title: 'Access events logged for audit',
    section: 'Systems and Information Access Control / Monitoring System Access',
    clause: 'Access to the application web servers is logged, and all access events are available for later auditing.',
    quote: 'all access events are available for later auditing',
  },
  'account-ownership': {
    control: 'account-ownership',
    title: 'Every account belongs to a named person',
    section: 'Systems and Information Access Control / Secure Authentication',
    clause: 'actiTIME staff members are required to use personal usernames and complex passwords, which should not be shared among users.',
    quote: 'required to use personal usernames',
  },
  'joiner-acceptance': {
    control: 'joiner-acceptance',
    title: 'Access only after the NDA and the policy are signed',
    section: 'Employee Awareness and Responsibilities',
    clause:
      'All actiTIME staff and subcontractors are required to read, accept and sign an NDA and the Policy. ' +
      'Access to the corporate and production environments is granted only upon completion of this process.',
    quote: 'granted only upon completion of this process',
  },
  'no-full-rights': {
    control: 'no-full-rights',
    title: 'No staff member holds full rights',
    section: 'Systems and Information Access Control / Access Policies and Procedures',
    clause: 'Where possible, none of the staff members is granted full rights to access any system.',
    quote: 'none of the staff members is granted full rights to access any system',
  },
  'minimal-root-use': {
    control: 'minimal-root-use',
    title: 'Root and administrator accounts used minimally',
    section: 'Corporate Offices – Physical Security / Server Access',
    clause: 'Use of the Admin/Administrator/root accounts is kept to a minimum.',
    quote: 'Use of the Admin/Administrator/root accounts is kept to a minimum',
  },
  'session-timeouts': {
    control: 'session-timeouts',
    title: 'Session timeouts',
    section: 'Corporate Offices – Physical Security / Workstations',
    clause: 'Session timeouts are kept in accordance with the best business practices.',
    quote: 'Session timeouts are kept in accordance with the best business practices',
  },
};

/** What a finding appends to cite its control, e.g. `policy: "…restricted from accessing any actiTIME servers within 24 hours…"`. */
export function citation(control: Control): string {
  return `policy: "…${CONTROLS[control].quote}…"`;
}
