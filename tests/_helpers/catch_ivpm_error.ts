/**
 * Catch the IvpmError a call throws, to assert on its message and hint.
 *
 * @module
 */

import { IvpmError } from "../../core/base/errors.ts";

/** Runs `fn` and returns the IvpmError it throws; fails if it returns or throws anything else. */
export function catchIvpmError(fn: () => unknown): IvpmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IvpmError) return err;
    throw err;
  }
  throw new Error("expected an IvpmError, but the call returned");
}

/** Awaits `fn` (or the promise) and returns the IvpmError it rejects with; fails otherwise. */
export async function catchIvpmErrorAsync(
  fn: Promise<unknown> | (() => Promise<unknown>),
): Promise<IvpmError> {
  try {
    await (typeof fn === "function" ? fn() : fn);
  } catch (err) {
    if (err instanceof IvpmError) return err;
    throw err;
  }
  throw new Error("expected an IvpmError, but the call resolved");
}
