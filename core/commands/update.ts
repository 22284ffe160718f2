import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function update(..._args: unknown[]): void {
  throw new NotYetAvailableError("update");
}
