/**
 * Warnings and notes from the node handler's root side: messages go to
 * `info.warn` / `info.note` when the caller provides them (both are optional)
 * and to stderr otherwise.
 *
 * @module
 */

/** Sends a warning and a note. */
export interface Say {
  /** Something the user should fix; the update goes on. */
  warn(message: string): void;
  /** Information (what was skipped, and why). */
  note(message: string): void;
}

type MaybeReporting = { warn?: unknown; note?: unknown };

/** The reporting functions for a callback's `info`. */
export function sayFor(info: object): Say {
  const i = info as MaybeReporting;
  return {
    warn: typeof i.warn === "function"
      ? (m) => (i.warn as (m: string) => void)(m)
      : (m) => console.warn(`warning: ${m}`),
    note: typeof i.note === "function"
      ? (m) => (i.note as (m: string) => void)(m)
      : (m) => console.error(`note: ${m}`),
  };
}
