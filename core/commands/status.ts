import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function status(..._args: unknown[]): void {
  throw new NotYetAvailableError("status");
}
