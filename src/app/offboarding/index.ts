/** Offboarding use cases shared by Slack and the scheduled run: preview, confirm, approve, cancel, apply when due, history, status. */

export { departureOverlay, type OffboardingDeps, type SecondApproverRule } from './deps';
export {
  breakGlassNamesOf,
  checkDepartureForm,
  findPerson,
  newDepartureId,
  type DepartureDraft,
  type DepartureForm,
  type FormCheck,
  type FormContext,
  type FormField,
  type PersonQuery,
} from './form';
export { adminRights, departureActionFilter, previewDeparture, requiredApprovals, type DeparturePreview } from './preview';
export {
  approveDeparture,
  cancelDeparture,
  confirmDeparture,
  deciderOf,
  type ApproveResult,
  type CancelResult,
  type ConfirmResult,
  type Decider,
  type DeciderRefusal,
} from './decisions';
export { applyDueDepartures, type DepartureOutcome } from './apply';
export { accessHistory, offboardingStatus, snapshotsOf, type HistoryTarget, type OffboardingStatus, type StatusOptions } from './status';
