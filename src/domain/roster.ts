/** Employment status as HR records it. */
export type EmploymentStatus = 'active' | 'departed' | 'on_leave';

/** Where a roster row came from, for error messages and evidence. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** One person on the HR roster, normalised (email lower-cased, end date resolved to an instant). */
export interface Person {
  readonly employeeId: string;
  readonly email: string;
  readonly status: EmploymentStatus;
  readonly fullName?: string;
  readonly role?: string;
  readonly department?: string;
  readonly managerEmail?: string;
  /** The instant access must end (end of the end_date day in the configured time zone, or the given date-time). */
  readonly endAt?: Date;
  readonly slackId?: string;
  readonly awsUsernames: readonly string[];
  /** SSH public key lines HR/IT recorded for this person (optional roster column `ssh_keys`). */
  readonly sshKeys: readonly string[];
  /** When the person accepted the security policy (optional roster column `policy_accepted_at`). */
  readonly policyAcceptedAt?: Date;
  /** When the person signed the NDA (optional roster column `nda_signed_at`). */
  readonly ndaSignedAt?: Date;
  /** Who said this person departed, when not the roster file itself (e.g. `slack:U123`). */
  readonly departureMarkedBy?: string;
  readonly source: SourceRef;
}

/** A row-level problem in an input file; that person gets no automatic action. */
export interface InputError {
  readonly source: string;
  readonly line?: number;
  readonly column?: string;
  readonly message: string;
}

export interface Roster {
  readonly people: readonly Person[];
  readonly errors: readonly InputError[];
  /** Employee ids of rows that were present but invalid: such people are never treated as orphans' owners nor revoked. */
  readonly invalidRowIdentities: readonly RowIdentity[];
}

/** What could still be read from an invalid row, so its IAM users are held back rather than treated as orphans. */
export interface RowIdentity {
  readonly employeeId?: string;
  readonly email?: string;
  readonly awsUsernames: readonly string[];
}

/** Short reference to a person, as it appears in plans and audit entries. */
export interface PersonRef {
  readonly employeeId: string;
  readonly email: string;
}

export const personRef = (p: Person): PersonRef => ({ employeeId: p.employeeId, email: p.email });
