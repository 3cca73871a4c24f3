/**
 * The reconcile use case: plan (read roster and AWS, compute the guarded plan), apply (intent, call, result, audited)
 * and verify (re-read what changed), each in its own module under ./reconcile/, all taken under one lock.
 */
export { computePlan, type EvidenceDeps, type PlannedRun, type ProgressEvent, type ReconcileDeps } from './reconcile/plan';
export { applyPlan, type ApplyOptions, type ApplyReport } from './reconcile/apply';
export { recordPlanRun } from './reconcile/records';
export type { ActionRecord, VerificationRecord } from './reconcile/common';
export { RECONCILE_LOCK, withReconcileLock, type Exclusive } from './reconcile/lock';
