/**
 * HTTP GET for plugin sources, with the transport policy applied before every
 * request (redirects included): `https:` anywhere, `http:` only to the loopback
 * interface (tests and local registries), nothing else.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";

/** Longest wait for one response, body included. */
const TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 10;

/** True for `localhost`, `127.0.0.0/8` and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "[::1]";
}

/**
 * Throws unless `url` may be fetched: `https:`, or `http:` to a loopback host.
 * `what` names the thing in the message (e.g. "plugin", "JSR registry").
 */
export function checkRemoteUrl(url: URL, what: string): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:") {
    if (isLoopbackHost(url.hostname)) return;
    throw new IvpmError(`Refusing to fetch ${what} over plain http: ${url.href}`, {
      hint: `use an https:// URL (plain http is allowed only for localhost / 127.0.0.1)`,
    });
  }
  throw new IvpmError(`Cannot fetch ${what} from a '${url.protocol}' URL: ${url.href}`, {
    hint: "use an https:// URL",
  });
}

/** The outcome of {@link getBytes}: the body of a 2xx answer, or the status of any other. */
export type GetResult =
  | { ok: true; bytes: Uint8Array; url: string }
  | { ok: false; status: number; url: string };

/**
 * GETs `url`, following redirects (each hop checked by {@link checkRemoteUrl}).
 * Network failures and timeouts become an {@link IvpmError}; a cancelled
 * `signal` rethrows its reason.
 */
export async function getBytes(url: string, what: string, signal?: AbortSignal): Promise<GetResult> {
  let current = new URL(url);
  for (let hop = 0;; hop++) {
    checkRemoteUrl(current, what);
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(current, { redirect: "manual", signal: combined });
      if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) {
          throw new IvpmError(`Too many redirects fetching ${what} from ${url}`, {
            hint: "check the URL; the server redirects in a loop",
          });
        }
        current = new URL(response.headers.get("location")!, current);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, status: response.status, url: current.href };
      }
      return { ok: true, bytes: new Uint8Array(await response.arrayBuffer()), url: current.href };
    } catch (err) {
      if (err instanceof IvpmError) throw err;
      if (signal?.aborted) throw signal.reason;
      const reason = timeout.aborted ? `no answer within ${TIMEOUT_MS / 1000} s` : errorText(err);
      throw new IvpmError(`Could not fetch ${what} from ${current.href}: ${reason}`, {
        hint: "check the network connection and the URL (for JSR packages, also JSR_URL)",
        cause: err,
      });
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
