/** Block Kit builders, one file per surface: pure functions from use-case results to Slack payloads, within Slack's limits. */

export { IDS, LIMITS, PATH_LABELS, REASONS } from './kit';
export {
  confirmOutcomeView,
  messageView,
  offboardModal,
  previewLoadingView,
  previewView,
  readOffboardForm,
  type OffboardFormValues,
  type OffboardModalOptions,
} from './offboard-modal';
export { approveReply, cancelReply, departureMessage, departureReply, isCancellable, pathLines } from './departure-thread';
export {
  ACCESS_AT_PAGE_SIZE,
  accessAtMessage,
  HISTORY_PAGE_SIZE,
  historyEntryText,
  historyMessage,
  holdingLine,
  HOLDINGS_PAGE_SIZE,
  type AccessAtAsked,
  type HistoryCursor,
} from './history';
export { homeView, statusMessage } from './status';
export { deniedText, guardTripMessage, runSummaryMessage } from './notices';
