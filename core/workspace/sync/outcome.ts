/**
 * What `ivpm sync` can conclude for one package (as in the original IVPM): the
 * typed outcomes, their icons, and the per-package result record (also the
 * `--json` row).
 *
 * @module
 */

/** Outcome of syncing one package. `dry:*` are the `--dry-run` predictions. */
export type SyncOutcome =
  | "up-to-date"
  | "synced"
  | "ahead"
  | "skipped"
  | "dirty"
  | "conflict"
  | "error"
  | "dry:sync"
  | "dry:conflict"
  | "dry:dirty";

/** Every outcome, in the order the summary line lists them. */
export const OUTCOMES: readonly SyncOutcome[] = [
  "synced",
  "up-to-date",
  "ahead",
  "dry:sync",
  "dry:conflict",
  "dry:dirty",
  "dirty",
  "conflict",
  "skipped",
  "error",
];

/** The transcript icon of each outcome. */
export const OUTCOME_ICONS: Readonly<Record<SyncOutcome, string>> = {
  "synced": "↑",
  "up-to-date": "=",
  "ahead": "↑!",
  "skipped": "—",
  "dirty": "✎",
  "conflict": "✗",
  "error": "!",
  "dry:sync": "→",
  "dry:conflict": "?",
  "dry:dirty": "?",
};

/** Outcomes that need the user (listed in the attention section). */
export const NEEDS_ATTENTION: ReadonlySet<SyncOutcome> = new Set([
  "dirty",
  "conflict",
  "error",
  "ahead",
  "dry:conflict",
  "dry:dirty",
]);

/** Result of syncing one package. */
export interface SyncResult {
  /** Package name. */
  name: string;
  /** `src` recorded in the lock. */
  src: string;
  /** Absolute path of `packages/<name>`. */
  path: string;
  outcome: SyncOutcome;
  /** Why it was skipped, or what went wrong (one line). */
  reason?: string;
  /** Branch the package is on. */
  branch?: string;
  /** Ref merged from (`origin/main`). */
  upstream?: string;
  /** HEAD before the sync (full sha). */
  before?: string;
  /** HEAD after the sync (full sha; only when it moved). */
  after?: string;
  /** Commits the package was behind its upstream (after fetching). */
  behind?: number;
  /** Commits the package had that its upstream lacks. */
  ahead?: number;
  /** A merge commit was created (the package had diverged). */
  merged?: boolean;
  /** Files that block the sync: local changes (`dirty`) or conflicting paths (`conflict`). */
  files?: string[];
  /** Commands that resolve the situation by hand. */
  nextSteps?: string[];
  /** Run time in milliseconds. */
  ms: number;
}
