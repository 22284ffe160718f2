import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function clone(..._args: unknown[]): void {
  throw new NotYetAvailableError("clone");
}
