/**
 * Warnings and notes from the python handler's root side: to `info.warn` /
 * `info.note` when ivpm provides them (the typed API has no diagnostic channel
 * for root callbacks yet), else to stderr.
 *
 * @module
 */

/** Sends a warning or a note. */
export interface Say {
  /** Something the user should look at; the update goes on. */
  warn(message: string): void;
  /** Information (what was skipped, and why). */
  note(message: string): void;
}

/** The reporting functions of a callback's `info`. */
export function sayFor(info: object): Say {
  const i = info as { warn?: unknown; note?: unknown };
  return {
    warn: typeof i.warn === "function"
      ? (m) => (i.warn as (m: string) => void)(m)
      : (m) => console.warn(`warning: python: ${m}`),
    note: typeof i.note === "function"
      ? (m) => (i.note as (m: string) => void)(m)
      : (m) => console.error(`note: python: ${m}`),
  };
}
