/**
 * Archive handling: tell an archive's kind from its name, and unpack it safely.
 *
 * @module
 */

export { type ArchiveKind, archiveKindFromName } from "./kind.ts";
export { extractArchive, type ExtractOptions } from "./extract.ts";
export type { ExtractProgress, StripMode } from "./tree_writer.ts";
export {
  DEFAULT_EXTRACT_LIMITS,
  type ExtractLimits,
  extractLimitsFromEnv,
  withExtractLimits,
} from "./limits.ts";
