import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function showHandler(..._args: unknown[]): void {
  throw new NotYetAvailableError("show_handler");
}
