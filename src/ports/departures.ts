/** Departures HR marks outside the roster file (Slack `/offboard`), and where their progress is announced. */

/**
 * `awaiting-approval`: a second HR approver must confirm before anything happens.
 * `scheduled`: confirmed; takes effect at `effectiveAt` (and stays here, retried, until no access is left).
 * `applied`: verified "no access left". `cancelled`: withdrawn before it took effect.
 */
export type DepartureStatus = 'awaiting-approval' | 'scheduled' | 'applied' | 'cancelled';

/** The access paths a departure closes, as shown to HR (one line each in the Slack thread). */
export type AccessPath =
  | 'access-keys'
  | 'console'
  | 'ssh-keys'
  | 'other-credentials'
  | 'groups'
  | 'policies'
  | 'deny-all'
  | 'hosts'
  | 'user';

/** `pending`: planned, not yet applied (or not yet due); `ok`: applied; `failed`: retried by the next run until resolved. */
export type PathState = 'pending' | 'ok' | 'failed';

export interface PathStatus {
  readonly path: AccessPath;
  readonly state: PathState;
  /** Changes planned on this path in the latest plan that had any. */
  readonly planned: number;
  readonly failed: number;
  /** The latest failures' messages (short, secret-free). */
  readonly errors: readonly string[];
}

export interface Approval {
  /** `slack:U…` */
  readonly by: string;
  readonly at: Date;
}

export interface SlackThreadRef {
  readonly channel: string;
  readonly ts: string;
}

/** How the latest attempt to apply a departure ended. */
export type AttemptOutcome = 'no-access-left' | 'partial' | 'guard-tripped' | 'error';

export interface DepartureAttempt {
  readonly at: Date;
  readonly runId: string;
  readonly outcome: AttemptOutcome;
  /** Access still open after the attempt (empty when verified). */
  readonly remaining: readonly string[];
  readonly error?: string;
}

export interface DeparturePerson {
  readonly email: string;
  readonly employeeId?: string;
  readonly slackId?: string;
  readonly fullName?: string;
}

/** One departure as recorded; Dates are instants, `timezone` is how HR entered and reads them. */
export interface Departure {
  readonly id: string;
  readonly person: DeparturePerson;
  readonly effectiveAt: Date;
  /** IANA zone HR entered the effective time in. */
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
  /** `slack:U…` (or `cli:NAME`). */
  readonly markedBy: string;
  readonly status: DepartureStatus;
  /** Everyone who approved, the marker first. */
  readonly approvals: readonly Approval[];
  /** 1, or 2 when a second approver is required. */
  readonly requiredApprovals: number;
  readonly createdAt: Date;
  readonly thread?: SlackThreadRef;
  /** Per access path, cumulative over attempts (pending until applied). */
  readonly paths: readonly PathStatus[];
  readonly attempts: number;
  readonly lastAttempt?: DepartureAttempt;
  readonly noAccessLeftAt?: Date;
  readonly cancelled?: Approval;
  /**
   * HR members who asked to cancel a departure that needed more than one approver: it is cancelled only once as many
   * different people as approved it ask, so one HR account alone cannot undo what two agreed on.
   */
  readonly cancelRequests?: readonly Approval[];
}

/** Why a state change was refused: expected outcomes, returned as values. */
export type DepartureRefusal = 'not-found' | 'wrong-status' | 'in-effect' | 'duplicate-approver';

export type DepartureChange =
  | { readonly ok: true; readonly departure: Departure }
  | { readonly ok: false; readonly reason: DepartureRefusal; readonly departure?: Departure };

export type AddResult = { readonly added: true; readonly departure: Departure } | { readonly added: false; readonly existing: Departure };

/**
 * Where departures live (SQLite now, DynamoDB later). Every change is a compare-and-set on the status,
 * so two clicks, two workers or a retried delivery never apply or cancel twice.
 */
export interface DepartureStore {
  /** Records a new departure; an existing id is left untouched and returned (confirm is idempotent by id). */
  add(departure: Departure): Promise<AddResult>;
  get(id: string): Promise<Departure | undefined>;
  /** Not yet applied nor cancelled (awaiting approval or scheduled), earliest effective first. */
  listPending(): Promise<readonly Departure[]>;
  /** Scheduled and effective at or before `now` (including earlier attempts that left access open). */
  listDue(now: Date): Promise<readonly Departure[]>;
  /** What the roster overlay uses: scheduled and applied departures. */
  listEffective(): Promise<readonly Departure[]>;
  /** Adds an approval to an awaiting departure; it becomes scheduled once `requiredApprovals` is reached. */
  approve(id: string, approval: Approval): Promise<DepartureChange>;
  /**
   * Cancels an awaiting departure, or a scheduled one whose effective time is still after `cancelled.at`; one that
   * needed several approvers first collects that many different cancel requests (`cancelRequests`).
   */
  cancel(id: string, cancelled: Approval): Promise<DepartureChange>;
  /** Records an attempt on a scheduled departure; `no-access-left` moves it to applied. */
  recordAttempt(id: string, attempt: DepartureAttempt, paths: readonly PathStatus[]): Promise<DepartureChange>;
  attachThread(id: string, thread: SlackThreadRef): Promise<DepartureChange>;
}

/** What happened to a departure, for whoever announces it (the Slack thread). */
export type DepartureEvent =
  | { readonly kind: 'approved'; readonly by: string }
  | { readonly kind: 'attempted' }
  | { readonly kind: 'cancelled'; readonly by: string }
  | { readonly kind: 'cancel-requested'; readonly by: string };

/** Announces departures and their progress (a Slack thread updated in place, or nothing). */
export interface DepartureNotifier {
  /** Announces a newly recorded departure; returns where later updates go, if anywhere. */
  opened(departure: Departure): Promise<SlackThreadRef | undefined>;
  /** The departure changed: update the announcement in place and say what happened in its thread. */
  changed(departure: Departure, event: DepartureEvent): Promise<void>;
}
