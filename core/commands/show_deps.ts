import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function showDeps(..._args: unknown[]): void {
  throw new NotYetAvailableError("show_deps");
}
