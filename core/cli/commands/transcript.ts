/**
 * Plain, line-oriented update output (CI logs, pipes, and terminals alike):
 * `<< name (1.2s) version` when a package lands, and on a terminal a status line
 * redrawn on a timer: every package in flight with its elapsed time and download
 * progress, how many have landed, and "discovering" while the graph is still growing
 * (the total is not known until the last parent lands, so none is shown).
 *
 * Names, urls, versions, hosts and handler messages come from dependencies, servers and plugins: each is
 * escaped (control and bidi-override characters made visible) before it is put in a line and coloured.
 *
 * @module
 */

import type { Landed, UpdateReporter } from "../../update/update.ts";
import type { ResolvedPackage } from "../../update/resolver.ts";
import type { Diagnostic } from "../../base/diagnostics.ts";
import type { HandlerEvent } from "../../plugin_api/events.ts";
import type { HttpWait } from "../../fetch/net/http_settings.ts";
import { colors, diag, err, liveEnabled, out, setStatus, settings } from "../../ui/log.ts";
import { escapeControls, escapeInline } from "../../util/terminal_text.ts";

const SPIN = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** A root task shorter than this prints nothing (an idle handler is not news), unless -v. */
const QUIET_TASK_MS = 1000;
const TICK_MS = 100;

/** Progress of one download, as a source reports it. */
export interface TransferProgress {
  bytes: number;
  total?: number;
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/**
 * `uart-ip 1.2/3.4 MiB 35%`, `big-repo 12s`, `tool waiting for example.com (12 s) 14s`: one in-flight
 * item for the status line.
 */
export function inFlightLabel(
  name: string,
  elapsedMs: number,
  transfer?: TransferProgress,
  wait?: HttpWait,
): string {
  const parts = [escapeInline(name)];
  if (transfer && transfer.bytes > 0) {
    parts.push(
      transfer.total
        ? `${size(transfer.bytes)}/${size(transfer.total)} ${
          Math.floor((transfer.bytes / transfer.total) * 100)
        }%`
        : size(transfer.bytes),
    );
  }
  // A silent server: say whom we are waiting for, so a stall does not look like a hang of ivpm.
  if (wait) parts.push(`waiting for ${escapeInline(wait.host)} (${Math.floor(wait.waitedMs / 1000)} s)`);
  if (elapsedMs >= 1000) parts.push(`${Math.floor(elapsedMs / 1000)}s`);
  return parts.join(" ");
}

interface RootTask {
  label: string;
  started: number;
  printed: boolean;
  depth: number;
}

/** The message of a thrown value, escaped for a line of the transcript. */
function errorText(e: unknown): string {
  return escapeControls(e instanceof Error ? e.message : String(e));
}

/** A reporter that prints the update transcript to stderr. */
export function transcriptReporter(): UpdateReporter & {
  counts: Record<string, number>;
  finish(): void;
  transfer(pkg: ResolvedPackage, p: TransferProgress): void;
  httpWait(pkg: ResolvedPackage, wait: HttpWait | undefined): void;
} {
  const names = new Map<string, string>();
  const live = liveEnabled();
  const running = new Map<string, { started: number; transfer?: TransferProgress; wait?: HttpWait }>();
  const tasks = new Map<string, RootTask>();
  let landedCount = 0, frame = 0, task = "";
  const status = () => {
    if (!live) return;
    const now = performance.now();
    const items = [...running.entries()].map(([n, r]) =>
      inFlightLabel(n, now - r.started, r.transfer, r.wait)
    );
    const what = items.length ? `fetching ${items.join(", ")} · discovering` : task;
    setStatus(`${SPIN[frame++ % SPIN.length]} ${landedCount} landed${what ? ` · ${what}` : ""}`);
  };
  /** Prints the start line of a root task that turned out to take a while (or to say something). */
  const announce = (t: RootTask) => {
    if (t.printed) return;
    t.printed = true;
    err(`${"  ".repeat(t.depth)}>> [${t.label}]`);
  };
  const tick = () => {
    const now = performance.now();
    if (!settings.quiet) {
      for (const t of tasks.values()) {
        if (now - t.started >= QUIET_TASK_MS) announce(t);
      }
    }
    status();
  };
  // The timer keeps the status line alive while nothing happens (a long clone, a slow server).
  const timer = setInterval(tick, TICK_MS);
  Deno.unrefTimer(timer);
  const counts: Record<string, number> = {
    fetched: 0,
    updated: 0,
    "up-to-date": 0,
    virtual: 0,
    cacheHits: 0,
    reused: 0,
  };
  return {
    counts,
    finish() {
      clearInterval(timer);
      if (live) setStatus("");
    },
    transfer(pkg: ResolvedPackage, p: TransferProgress) {
      const r = running.get(pkg.name);
      if (r) r.transfer = p;
    },
    httpWait(pkg: ResolvedPackage, wait: HttpWait | undefined) {
      const r = running.get(pkg.name);
      if (r) r.wait = wait;
      // Without a status line (CI logs), -v shows a long wait as a line every 10 s.
      const secs = wait ? Math.floor(wait.waitedMs / 1000) : 0;
      if (wait && !live && settings.verbose >= 1 && !settings.quiet && secs % 10 === 0) {
        err(colors.dim(`   ${escapeInline(pkg.name)}: waiting for ${escapeInline(wait.host)} (${secs} s)`));
      }
    },
    start(pkg: ResolvedPackage) {
      running.set(pkg.name, { started: performance.now() });
      status();
      if (settings.verbose >= 2 && !settings.quiet) {
        err(`>> ${escapeInline(pkg.name)} (${escapeInline(String(pkg.dep.src))})`);
      }
    },
    done(pkg: ResolvedPackage, l: Landed) {
      running.delete(pkg.name);
      landedCount++;
      status();
      counts[l.status]++;
      if (l.cacheHit) counts.cacheHits++;
      if (l.reused) counts.reused++;
      if (settings.quiet) return;
      const name = escapeInline(pkg.name);
      if (l.status === "up-to-date" || l.status === "virtual") {
        if (settings.verbose >= 1) {
          const what = l.status === "virtual" ? `(${escapeInline(String(pkg.dep.src))})` : "up to date";
          err(colors.dim(`   ${name} ${what}`));
        }
        return;
      }
      const secs = `${(l.ms / 1000).toFixed(1)}s`;
      // The version is a tag or a server's answer: as untrusted as the name.
      const version = l.version === undefined ? undefined : escapeInline(String(l.version));
      const extra = [version, l.cacheHit ? "cache" : undefined, l.reused ? "reused" : undefined]
        .filter(Boolean).join(" ");
      err(`${colors.green("<<")} ${name} (${secs})${extra ? " " + extra : ""}`);
    },
    failed(pkg: ResolvedPackage, e: unknown) {
      running.delete(pkg.name);
      err(`${colors.red("<<")} ${escapeInline(pkg.name)} ERROR: ${errorText(e)}`);
    },
    diagnostic(d: Diagnostic) {
      diag(d);
    },
    handlerEvent(e: HandlerEvent) {
      if (settings.quiet) return;
      const depth = e.parentTaskId ? 1 : 0;
      const pad = "  ".repeat(depth);
      // Task names, ids and messages are a plugin's: escaped once here.
      const label = escapeInline(String(e.taskName ?? names.get(e.taskId) ?? e.taskId));
      const message = escapeControls(String(e.message ?? ""));
      const frac = e.step !== undefined && e.total !== undefined
        ? ` (${escapeInline(`${e.step}/${e.total}`)})`
        : "";
      if (e.type === "task-progress" && live && !e.packageName) {
        task = `[${label}] ${escapeInline(String(e.message ?? ""))}${frac}`;
        status();
      }
      if (e.type === "task-start") {
        names.set(e.taskId, label);
        if (e.packageName) {
          if (settings.verbose >= 1) err(`${pad}>> [${label}]`);
          return;
        }
        const t: RootTask = { label, started: performance.now(), printed: false, depth };
        tasks.set(e.taskId, t);
        if (settings.verbose >= 1) announce(t);
      } else if (e.type === "task-end") {
        const t = tasks.get(e.taskId);
        tasks.delete(e.taskId);
        if (t?.printed) err(`${pad}<< [${label}] (${((e.durationMs ?? 0) / 1000).toFixed(1)}s)`);
      } else if (e.type === "task-error") {
        const t = tasks.get(e.taskId);
        tasks.delete(e.taskId);
        if (t) announce(t);
        err(`${pad}<< [${label}] ERROR: ${message}`);
      } else if (e.type === "task-progress" && settings.verbose >= 1) {
        err(`${pad}   [${escapeInline(String(e.packageName ?? e.handler))}] ${message}${frac}`);
      }
    },
  };
}

/** A reporter that prints every event as one JSON object per line on stdout (`--json`), for tools. */
export function jsonReporter(): UpdateReporter & {
  counts: Record<string, number>;
  finish(): void;
  transfer(pkg: ResolvedPackage, p: TransferProgress): void;
} {
  const counts: Record<string, number> = {
    fetched: 0,
    updated: 0,
    "up-to-date": 0,
    virtual: 0,
    cacheHits: 0,
    reused: 0,
  };
  const emit = (o: Record<string, unknown>) => out(JSON.stringify(o));
  return {
    counts,
    finish() {},
    transfer() {},
    start: (p) => emit({ type: "package-start", name: p.name, src: p.dep.src }),
    done: (p, l) => {
      counts[l.status]++;
      if (l.cacheHit) counts.cacheHits++;
      if (l.reused) counts.reused++;
      emit({
        type: "package-complete",
        name: p.name,
        status: l.status,
        version: l.version,
        cacheHit: !!l.cacheHit,
        reused: !!l.reused,
        ms: Math.round(l.ms),
      });
    },
    failed: (p, e) =>
      emit({ type: "package-error", name: p.name, message: e instanceof Error ? e.message : String(e) }),
    diagnostic: (d) => {
      emit({
        type: "diagnostic",
        severity: d.severity,
        message: d.message,
        ...(d.loc ? { loc: d.loc } : {}),
      });
    },
    handlerEvent: (e) => emit({ ...e }),
  };
}
