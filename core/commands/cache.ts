import { NotYetAvailableError } from "../errors.ts";

/** Not yet available. */
export function cacheInit(..._args: unknown[]): void {
  throw new NotYetAvailableError("cache init");
}
/** Not yet available. */
export function cacheInfo(..._args: unknown[]): void {
  throw new NotYetAvailableError("cache info");
}
/** Not yet available. */
export function cacheClean(..._args: unknown[]): void {
  throw new NotYetAvailableError("cache clean");
}
