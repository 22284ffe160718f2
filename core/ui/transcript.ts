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
import { colors, diag, err, settings } from "./log.ts";

/** A reporter that prints the update transcript to stderr. */
export function transcriptReporter(): UpdateReporter & { counts: Record<string, number> } {
  const names = new Map<string, string>();
  const counts: Record<string, number> = {
    fetched: 0,
    updated: 0,
    "up-to-date": 0,
    virtual: 0,
    cacheHits: 0,
  };
  return {
    counts,
    start(pkg: ResolvedPackage) {
      if (settings.verbose >= 2 && !settings.quiet) err(`>> ${pkg.name} (${pkg.dep.src})`);
    },
    done(pkg: ResolvedPackage, l: Landed) {
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
