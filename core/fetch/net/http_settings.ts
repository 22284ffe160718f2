/**
 * How long HTTP downloads and probes wait and how often they retry, chosen by
 * the user (`--http-timeout` / `IVPM_HTTP_TIMEOUT`, `--http-retries` /
 * `IVPM_HTTP_RETRIES`), plus where waits and retries are reported. An update
 * sets them once with {@link withHttpSettings}; every download inside sees them
 * without each source passing them along.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { IvpmError } from "../../base/errors.ts";

/** What a download is doing while nothing arrives. */
export interface HttpWait {
  url: string;
  /** `host:port` of the URL. */
  host: string;
  /** How long nothing has arrived, in ms. */
  waitedMs: number;
}

/** User choices and reporting hooks for HTTP transfers. */
export interface HttpSettings {
  /** Longest wait for the response or the next chunk of the body, in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** A retry is about to happen (`message` names the URL, the attempt and why). */
  onRetry?(message: string): void;
  /** Nothing has arrived for a while (called about once a second), or `undefined` once data flows again. */
  onWait?(wait: HttpWait | undefined): void;
}

/** Default per-attempt wait, in seconds. */
export const DEFAULT_HTTP_TIMEOUT_S = 60;
/** Default number of retries after the first attempt. */
export const DEFAULT_HTTP_RETRIES = 3;

const ambient = new AsyncLocalStorage<HttpSettings>();

/** Runs `fn` with `settings` (added to any already in force) applying to every HTTP transfer it starts. */
export function withHttpSettings<T>(settings: HttpSettings, fn: () => Promise<T>): Promise<T> {
  return ambient.run({ ...(ambient.getStore() ?? {}), ...settings }, fn);
}

/** The settings in force for the current call (empty outside {@link withHttpSettings}). */
export function currentHttpSettings(): HttpSettings {
  return ambient.getStore() ?? {};
}

/**
 * Reads `IVPM_HTTP_TIMEOUT` (seconds) and `IVPM_HTTP_RETRIES` from `env`; unset
 * values stay undefined (each caller's default applies).
 *
 * @throws {IvpmError} for a value that is not a positive number of seconds / a whole number.
 */
export function httpSettingsFromEnv(env: Record<string, string | undefined>): HttpSettings {
  const out: HttpSettings = {};
  const t = env.IVPM_HTTP_TIMEOUT?.trim();
  if (t) {
    const n = Number(t);
    if (!Number.isFinite(n) || n <= 0) {
      throw new IvpmError(`IVPM_HTTP_TIMEOUT must be a positive number of seconds, got '${t}'`, {
        hint: `unset it (default ${DEFAULT_HTTP_TIMEOUT_S} s) or set e.g. IVPM_HTTP_TIMEOUT=120`,
      });
    }
    out.timeoutMs = n * 1000;
  }
  const r = env.IVPM_HTTP_RETRIES?.trim();
  if (r) {
    const n = Number(r);
    if (!Number.isInteger(n) || n < 0) {
      throw new IvpmError(`IVPM_HTTP_RETRIES must be a whole number (0 or more), got '${r}'`, {
        hint: `unset it (default ${DEFAULT_HTTP_RETRIES}) or set e.g. IVPM_HTTP_RETRIES=5`,
      });
    }
    out.retries = n;
  }
  return out;
}

/** The hint for a download that timed out: where to raise the limit. */
export const RAISE_TIMEOUT_HINT =
  "the server is slow or unreachable; check the network (or a proxy), or raise " +
  "the limit with --http-timeout <seconds> or IVPM_HTTP_TIMEOUT=<seconds> (retries: IVPM_HTTP_RETRIES)";
