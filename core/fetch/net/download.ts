/**
 * Streaming downloads with retries, an idle timeout and sha256 verification,
 * plus a cheap metadata probe (ETag / Last-Modified).
 *
 * The body goes straight to `<dest>.part` while it is hashed, and is renamed to
 * `dest` only once complete and verified: an interrupted or corrupt download
 * never appears under the final name, and memory use does not grow with size.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { IvpmError } from "../../base/errors.ts";
import { asDiskError, DiskError } from "../../util/disk_error.ts";
import { currentHttpSettings, type HttpSettings, RAISE_TIMEOUT_HINT } from "./http_settings.ts";

/** Options of {@link downloadToFile}. */
export interface DownloadOptions {
  /** Expected sha256 (hex). On mismatch an {@link IvpmError} names the URL and both digests; no file is left. */
  sha256?: string;
  /** Extra request headers (e.g. `Authorization` for GitHub). */
  headers?: Record<string, string>;
  /**
   * Retries after the first attempt (default 3) on HTTP 5xx and 429, network errors, truncated bodies, timeouts.
   * The user's choice (`IVPM_HTTP_RETRIES`, see http_settings.ts) wins over this.
   */
  retries?: number;
  /**
   * Per attempt: longest wait for the response or for the next chunk of the body, in ms (default 60 000).
   * The user's choice (`IVPM_HTTP_TIMEOUT`, see http_settings.ts) wins over this.
   */
  timeoutMs?: number;
  /** Base delay before a retry, in ms (default 250); doubles with each retry, with jitter. */
  backoffMs?: number;
  /** Cancels the download; its reason is thrown. */
  signal?: AbortSignal;
  /** Called after every chunk with the bytes received so far and the announced size, if any. */
  onProgress?: (received: number, total: number | undefined) => void;
}

/** What {@link downloadToFile} wrote. */
export interface DownloadResult {
  /** The destination path (as given). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** sha256 of the content, lower-case hex. */
  sha256: string;
  /** The `ETag` response header, verbatim (quotes and any `W/` prefix included). */
  etag?: string;
  /** The `Last-Modified` response header (for `file:` URLs, the file's mtime as an HTTP date). */
  lastModified?: string;
  /** The `Content-Type` response header. */
  contentType?: string;
  /** The URL the content came from, after redirects. */
  finalUrl: string;
}

/** Options of {@link probeUrl}. */
export interface ProbeOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Longest wait for the response headers, in ms (default 60 000). */
  timeoutMs?: number;
  /** Cancels the probe; its reason is thrown. */
  signal?: AbortSignal;
}

/** What {@link probeUrl} learnt about a URL. */
export interface ProbeResult {
  /** The `ETag` header, verbatim. */
  etag?: string;
  /** The `Last-Modified` header. */
  lastModified?: string;
  /** HTTP status (for `file:` URLs: 200 when the file exists, else 404). */
  status: number;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_TIMEOUT_MS = 60_000;
/** After this long without data, a wait is reported (status line), then about once a second. */
const WAIT_NOTICE_MS = 2_000;
const DEFAULT_BACKOFF_MS = 250;
/** No single wait between attempts exceeds this, whatever the backoff or a `Retry-After` says. */
const MAX_DELAY_MS = 30_000;

/**
 * Downloads `url` (`http:`, `https:` or `file:`) to `dest`, creating its parent
 * directory. Redirects are followed. 5xx, 429, network errors, timeouts and
 * bodies shorter than their `Content-Length` are retried with exponential
 * backoff; other HTTP errors fail at once.
 *
 * @throws {IvpmError} naming the URL: on an HTTP error, after the last retry
 *   (with the last status or error and the number of attempts), on a sha256
 *   mismatch, or for a missing `file:` path.
 */
export async function downloadToFile(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const parsed = parseDownloadUrl(url);
  const expected = opts.sha256 === undefined ? undefined : normalizeSha256(opts.sha256, url);
  opts.signal?.throwIfAborted();
  await onDisk(dirname(dest), () => Deno.mkdir(dirname(dest), { recursive: true }));
  const part = `${dest}.part`;
  const fetched = parsed.protocol === "file:"
    ? await copyFileUrl(parsed, part, opts)
    : await fetchWithRetries(url, part, opts);
  if (expected !== undefined && fetched.sha256 !== expected) {
    await removeQuietly(part);
    await removeQuietly(dest); // a stale copy from an earlier run must not pass for this one
    throw new IvpmError(
      `Checksum mismatch for ${url}: expected sha256 ${expected}, got ${fetched.sha256}`,
      {
        hint: "the file changed on the server or was tampered with; check the URL and the sha256 you pinned",
      },
    );
  }
  await onDisk(dest, () => Deno.rename(part, dest));
  return { path: dest, ...fetched };
}

/**
 * Asks for a URL's `ETag` and `Last-Modified` without downloading it: a `HEAD`
 * request, or a `GET` whose body is dropped unread when the server answers
 * `HEAD` with 405 or 501. Any status is returned, not thrown.
 *
 * @throws {IvpmError} when the server cannot be reached or does not answer in time.
 */
export async function probeUrl(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const parsed = parseDownloadUrl(url);
  if (parsed.protocol === "file:") {
    try {
      const info = await Deno.stat(fileURLToPath(parsed));
      return { status: 200, lastModified: info.mtime?.toUTCString() };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { status: 404 };
      throw e;
    }
  }
  let response = await probeRequest(url, "HEAD", opts);
  if (response.status === 405 || response.status === 501) response = await probeRequest(url, "GET", opts);
  return {
    status: response.status,
    etag: response.headers.get("etag") ?? undefined,
    lastModified: response.headers.get("last-modified") ?? undefined,
  };
}

type Fetched = Omit<DownloadResult, "path">;

/** One attempt's outcome: done, worth another attempt, or a final failure. */
type Attempt =
  | { kind: "done"; result: Fetched }
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  | { kind: "fail"; error: IvpmError };

async function fetchWithRetries(url: string, part: string, opts: DownloadOptions): Promise<Fetched> {
  const user = currentHttpSettings();
  const attempts = Math.max(0, Math.floor(user.retries ?? opts.retries ?? DEFAULT_RETRIES)) + 1;
  const backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  const timeoutMs = user.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let lastReason = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const outcome = await fetchOnce(url, part, opts, timeoutMs, user);
    if (outcome.kind === "done") return outcome.result;
    await removeQuietly(part).catch(() => {}); // a disk error must not hide the reason
    if (outcome.kind === "fail") throw outcome.error;
    lastReason = outcome.reason;
    if (attempt < attempts) {
      // Said out loud: a silent retry of a stalled server looks like a hang.
      user.onRetry?.(`retrying ${url} (${attempt + 1}/${attempts}) after ${outcome.reason}`);
      await sleep(retryDelay(attempt, backoff, outcome.retryAfterMs), opts.signal);
    }
  }
  const timedOut = lastReason.startsWith("timed out");
  throw new IvpmError(
    `Failed to download ${url} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${lastReason}`,
    {
      hint: timedOut
        ? RAISE_TIMEOUT_HINT
        : "the server or the network may be down for a while; try again later",
    },
  );
}

async function fetchOnce(
  url: string,
  part: string,
  opts: DownloadOptions,
  timeoutMs: number,
  user: HttpSettings,
): Promise<Attempt> {
  opts.signal?.throwIfAborted();
  const controller = new AbortController();
  const idle = new IdleTimer(
    timeoutMs,
    () => controller.abort(new DOMException("idle timeout", "TimeoutError")),
    waitReporter(url, user),
  );
  const forwardAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", forwardAbort, { once: true });
  let received = 0;
  let total: number | undefined;
  try {
    const response = await fetch(url, {
      // identity: fetch would otherwise inflate a gzip-encoded .tar.gz, and Content-Length would not match.
      headers: { "accept-encoding": "identity", ...opts.headers },
      signal: controller.signal,
      redirect: "follow",
    });
    idle.reset();
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
      if (response.status === 429 || response.status >= 500) {
        return {
          kind: "retry",
          reason: status,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        };
      }
      return {
        kind: "fail",
        error: new IvpmError(`Failed to download ${url}: ${status}`, {
          hint: hintForStatus(response.status),
        }),
      };
    }
    total = parseContentLength(response.headers.get("content-length"));
    const hash = createHash("sha256");
    const file = await onDisk(part, () => Deno.open(part, { write: true, create: true, truncate: true }));
    try {
      if (response.body) {
        for await (const chunk of response.body) {
          idle.reset();
          hash.update(chunk);
          await onDisk(part, () => writeAll(file, chunk));
          received += chunk.length;
          opts.onProgress?.(received, total);
        }
      }
    } finally {
      file.close();
    }
    if (total !== undefined && received !== total) {
      return { kind: "retry", reason: `connection closed after ${received} of ${total} bytes` };
    }
    return {
      kind: "done",
      result: {
        size: received,
        sha256: hash.digest("hex"),
        etag: response.headers.get("etag") ?? undefined,
        lastModified: response.headers.get("last-modified") ?? undefined,
        contentType: response.headers.get("content-type") ?? undefined,
        finalUrl: response.url || url,
      },
    };
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    // A full or read-only disk is not the network's fault: retrying only fills it again.
    if (e instanceof DiskError) {
      controller.abort(e); // drop the connection whose body is no longer read
      return { kind: "fail", error: e };
    }
    if (idle.fired) return { kind: "retry", reason: `timed out (no data for ${seconds(timeoutMs)})` };
    const message = e instanceof Error ? e.message : String(e);
    if (total !== undefined && received < total) {
      return { kind: "retry", reason: `connection closed after ${received} of ${total} bytes (${message})` };
    }
    return { kind: "retry", reason: `network error: ${message}` };
  } finally {
    idle.clear();
    opts.signal?.removeEventListener("abort", forwardAbort);
  }
}

/** Copies a `file:` URL to `part`, hashing on the way, as a download would. */
async function copyFileUrl(url: URL, part: string, opts: DownloadOptions): Promise<Fetched> {
  const path = fileURLToPath(url);
  let source: Deno.FsFile;
  try {
    source = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new IvpmError(`Failed to download ${url.href}: no such file ${path}`, {
        hint: "check the path in the file:// URL",
      });
    }
    throw e;
  }
  const info = await source.stat();
  if (!info.isFile) {
    source.close();
    throw new IvpmError(`Failed to download ${url.href}: ${path} is not a file`, {
      hint: "point the file:// URL at a file",
    });
  }
  const hash: Hash = createHash("sha256");
  let received = 0;
  let target: Deno.FsFile;
  try {
    target = await onDisk(part, () => Deno.open(part, { write: true, create: true, truncate: true }));
  } catch (e) {
    source.close();
    throw e;
  }
  try {
    for await (const chunk of source.readable) {
      opts.signal?.throwIfAborted();
      hash.update(chunk);
      await onDisk(part, () => writeAll(target, chunk));
      received += chunk.length;
      opts.onProgress?.(received, info.size);
    }
  } catch (e) {
    target.close();
    await removeQuietly(part).catch(() => {});
    throw e;
  }
  target.close();
  return {
    size: received,
    sha256: hash.digest("hex"),
    lastModified: info.mtime?.toUTCString(),
    finalUrl: url.href,
  };
}

async function probeRequest(url: string, method: "HEAD" | "GET", opts: ProbeOptions): Promise<Response> {
  const timeoutMs = currentHttpSettings().timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("timeout", "TimeoutError"));
  }, timeoutMs);
  const forwardAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", forwardAbort, { once: true });
  try {
    const response = await fetch(url, {
      method,
      headers: { "accept-encoding": "identity", ...opts.headers },
      signal: controller.signal,
      redirect: "follow",
    });
    await response.body?.cancel().catch(() => {}); // headers are all a probe wants
    return response;
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const why = timedOut
      ? `timed out after ${seconds(timeoutMs)}`
      : e instanceof Error
      ? e.message
      : String(e);
    throw new IvpmError(`Failed to reach ${url}: ${why}`, {
      hint: timedOut ? RAISE_TIMEOUT_HINT : "check the URL and the network connection",
      cause: e,
    });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", forwardAbort);
  }
}

/**
 * Restartable timer: fires when nothing called {@link reset} for `ms`. With
 * `onWait`, a silence longer than {@link WAIT_NOTICE_MS} is reported about once
 * a second (the elapsed time), and its end once (undefined).
 */
class IdleTimer {
  fired = false;
  #id: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #since = performance.now();
  #waiting = false;
  readonly #ms: number;
  readonly #onFire: () => void;
  readonly #onWait?: (waitedMs: number | undefined) => void;

  constructor(ms: number, onFire: () => void, onWait?: (waitedMs: number | undefined) => void) {
    this.#ms = ms;
    this.#onFire = onFire;
    this.#onWait = onWait;
    if (onWait) {
      this.#ticker = setInterval(() => {
        const waited = performance.now() - this.#since;
        if (waited < WAIT_NOTICE_MS) return;
        this.#waiting = true;
        this.#onWait?.(waited);
      }, 1000);
    }
    this.reset();
  }

  reset(): void {
    clearTimeout(this.#id);
    this.#since = performance.now();
    this.#endWait();
    this.#id = setTimeout(() => {
      this.fired = true;
      this.#onFire();
    }, this.#ms);
  }

  clear(): void {
    clearTimeout(this.#id);
    clearInterval(this.#ticker);
    this.#endWait();
  }

  #endWait(): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#onWait?.(undefined);
  }
}

/** The idle timer's wait callback for `url`, reporting through the user's settings (if anyone listens). */
function waitReporter(url: string, user: HttpSettings): ((waitedMs: number | undefined) => void) | undefined {
  const onWait = user.onWait;
  if (!onWait) return undefined;
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // parseDownloadUrl has checked it; keep the URL as a fallback label
  }
  return (waitedMs) => onWait(waitedMs === undefined ? undefined : { url, host, waitedMs });
}

/** `1 s`, `1.5 s`, `60 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Runs a file operation on `path`; a disk error (no space, permission denied, …) becomes a {@link DiskError}. */
async function onDisk<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw asDiskError(e, path) ?? e;
  }
}

function parseDownloadUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IvpmError(`Invalid download URL '${url}'`, { hint: "use an http://, https:// or file:// URL" });
  }
  if (!["http:", "https:", "file:"].includes(parsed.protocol)) {
    throw new IvpmError(`Cannot download ${url}: unsupported scheme '${parsed.protocol}'`, {
      hint: "use an http://, https:// or file:// URL",
    });
  }
  return parsed;
}

function normalizeSha256(value: string, url: string): string {
  const hex = value.trim().toLowerCase().replace(/^sha256[:-]/, "");
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new IvpmError(`Invalid sha256 '${value}' for ${url}`, {
      hint: "give the 64 hex digits printed by `sha256sum <file>`",
    });
  }
  return hex;
}

function hintForStatus(status: number): string {
  if (status === 401 || status === 403) {
    return "access was refused: check the URL and any credentials sent with it";
  }
  if (status === 404 || status === 410) return "check the URL (host, path, version or tag)";
  return "check the URL";
}

function parseContentLength(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `Retry-After` as milliseconds: either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel clients spread out. */
function retryDelay(attempt: number, base: number, retryAfterMs?: number): number {
  const exponential = base * 2 ** (attempt - 1);
  const delay = exponential / 2 + Math.random() * (exponential / 2);
  return Math.min(MAX_DELAY_MS, Math.max(delay, retryAfterMs ?? 0));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await file.write(data.subarray(offset));
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
