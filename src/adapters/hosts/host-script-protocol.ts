/**
 * The wire protocol between Warden and its host scripts (scripts/host/*.sh), run on EC2 hosts
 * through SSM Run Command (AWS-RunShellScript): builds the command text to send and parses what
 * the scripts print. Pure apart from reading the two script files once, on first use. One file per
 * side: host-commands (what is sent), authorized-keys, inventory-output and revoke-output (what comes back).
 *
 * The scripts stay real files (not strings in this module) so the exact bytes sent to hosts are
 * the ones tested with dash and reviewed as shell; they are read lazily, so importing this module
 * never touches the disk, and callers may pass their own `HostScripts` (a bundle that inlines
 * them, a test). A bundler must ship scripts/host/ next to the code or inline the files.
 */
export { keyFingerprint } from '../../domain/ssh-key';
export { parseAuthorizedKeyLine, normaliseKeyBody, type AuthorizedKeyLine } from './authorized-keys';
export {
  COMMON_SOURCE_LINE,
  inlineCommon,
  inventoryCommand,
  loadHostScripts,
  revokeCommand,
  type HostScripts,
  type InventoryCommandOptions,
  type RevokeRequest,
} from './host-commands';
export {
  assembleInventoryPages,
  INVENTORY_PAGE_BYTES,
  inventoryExtras,
  parseInventoryOutput,
  parseInventoryPage,
  posixCksum,
  SSM_STDOUT_LIMIT,
  type InventoryAssembly,
  type InventoryPage,
  type InventoryPageParse,
  type ParsedInventory,
} from './inventory-output';
export { parseRevokeOutput, summariseRevoke, type KeyRevocation, type RevokeEvent, type RevokeReport, type UserRevocation } from './revoke-output';
