/**
 * Plain, line-oriented update output (CI logs, pipes, and terminals alike):
 * `>> name (src)` when a fetch starts, `<< name (1.2s) version` when it lands.
 *
 * @module
 */

import type { Landed, UpdateReporter } from "../update/update.ts";
import type { ResolvedPackage } from "../update/resolver.ts";
import type { Diagnostic } from "./diagnostics.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import { colors, diag, err, liveEnabled, out, setStatus, settings } from "./log.ts";

const SPIN = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A reporter that prints the update transcript to stderr. */
export function transcriptReporter(): UpdateReporter & { counts: Record<string, number>; finish(): void } {
  const names = new Map<string, string>();
  const live = liveEnabled();
  const running = new Set<string>();
  let landedCount = 0, seen = 0, frame = 0, task = "", last = 0;
  const redraw = (force = false) => {
    if (!live) return;
    const now = performance.now();
    if (!force && now - last < 80) return;
    last = now;
    const list = [...running].slice(0, 4).join(", ") + (running.size > 4 ? ", …" : "");
    const what = running.size ? `fetching ${list}` : task;
    setStatus(`${SPIN[frame++ % SPIN.length]} [${landedCount}/${seen}] ${what}`);
  };
  const counts: Record<string, number> = {
    fetched: 0,
    updated: 0,
    "up-to-date": 0,
    virtual: 0,
    cacheHits: 0,
  };
  return {
    counts,
    finish() {
      if (live) setStatus("");
    },
    start(pkg: ResolvedPackage) {
      seen++;
      running.add(pkg.name);
      redraw();
      if (settings.verbose >= 2 && !settings.quiet) err(`>> ${pkg.name} (${pkg.dep.src})`);
    },
    done(pkg: ResolvedPackage, l: Landed) {
      running.delete(pkg.name);
      landedCount++;
      redraw();
      counts[l.status]++;
      if (l.cacheHit) counts.cacheHits++;
      if (settings.quiet) return;
      if (l.status === "up-to-date" || l.status === "virtual") {
        if (settings.verbose >= 1) {
          err(colors.dim(`   ${pkg.name} ${l.status === "virtual" ? `(${pkg.dep.src})` : "up to date"}`));
        }
        return;
      }
      const secs = `${(l.ms / 1000).toFixed(1)}s`;
      const extra = [l.version, l.cacheHit ? "cache" : undefined].filter(Boolean).join(" ");
      err(`${colors.green("<<")} ${pkg.name} (${secs})${extra ? " " + extra : ""}`);
    },
    failed(pkg: ResolvedPackage, e: unknown) {
      err(`${colors.red("<<")} ${pkg.name} ERROR: ${e instanceof Error ? e.message : String(e)}`);
    },
    diagnostic(d: Diagnostic) {
      diag(d);
    },
    handlerEvent(e: HandlerEvent) {
      if (settings.quiet) return;
      if (e.type === "task-progress" && live && !e.packageName) {
        const frac = e.step !== undefined && e.total !== undefined ? ` (${e.step}/${e.total})` : "";
        task = `[${names.get(e.taskId) ?? e.taskId}] ${e.message ?? ""}${frac}`;
        redraw(true);
      }
      const depth = e.parentTaskId ? 1 : 0;
      const pad = "  ".repeat(depth);
      const label = e.taskName ?? names.get(e.taskId) ?? e.taskId;
      if (e.type === "task-start") {
        names.set(e.taskId, label);
        if (!e.packageName || settings.verbose >= 1) err(`${pad}>> [${label}]`);
      } else if (e.type === "task-end") {
        if (!e.packageName) err(`${pad}<< [${label}] (${((e.durationMs ?? 0) / 1000).toFixed(1)}s)`);
      } else if (e.type === "task-error") {
        err(`${pad}<< [${label}] ERROR: ${e.message ?? ""}`);
      } else if (e.type === "task-progress" && settings.verbose >= 1) {
        const frac = e.step !== undefined && e.total !== undefined ? ` (${e.step}/${e.total})` : "";
        err(`${pad}   [${e.packageName ?? e.handler}] ${e.message ?? ""}${frac}`);
      }
    },
  };
}

/** A reporter that prints every event as one JSON object per line on stdout (`--json`), for tools. */
export function jsonReporter(): UpdateReporter & { counts: Record<string, number>; finish(): void } {
  const counts: Record<string, number> = {
    fetched: 0,
    updated: 0,
    "up-to-date": 0,
    virtual: 0,
    cacheHits: 0,
  };
  const emit = (o: Record<string, unknown>) => out(JSON.stringify(o));
  return {
    counts,
    finish() {},
    start: (p) => emit({ type: "package-start", name: p.name, src: p.dep.src }),
    done: (p, l) => {
      counts[l.status]++;
      if (l.cacheHit) counts.cacheHits++;
      emit({
        type: "package-complete",
        name: p.name,
        status: l.status,
        version: l.version,
        cacheHit: !!l.cacheHit,
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
