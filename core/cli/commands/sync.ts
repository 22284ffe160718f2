/**
 * `ivpm sync [-p DIR] [-n] [-j N] [--packages a,b] [--json] [--summary FILE] [-v]`
 * — fetch and merge upstream changes into writable git packages (see core/sync).
 * Exit 1 when some package ends in `error` or stopped on a merge `conflict`.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { resolve } from "node:path";
import { IvpmError, ReportedInJsonError } from "../../base/errors.ts";
import {
  attentionLines,
  closingLines,
  doneLine,
  HIDDEN_SOURCES,
  markdownSummary,
  shown,
} from "../../workspace/sync/render.ts";
import { runSync } from "../../workspace/sync/sync.ts";
import { colors, out, settings, warn } from "../../ui/log.ts";
import { withInterrupt } from "./update.ts";

/** Flags of `ivpm sync` (as commander parses them). */
export interface SyncFlags {
  projectDir?: string;
  dryRun?: boolean;
  jobs?: number;
  /** Comma-separated package names. */
  packages?: string;
  summary?: string;
  verbose?: number;
  json?: boolean;
}

/** `ivpm sync`. */
export async function sync(o: SyncFlags): Promise<void> {
  const verbose = Math.max(o.verbose ?? 0, settings.verbose);
  const packages = o.packages?.split(",").map((s) => s.trim()).filter(Boolean);
  if (o.packages !== undefined && !packages?.length) {
    throw new IvpmError("--packages needs at least one package name", {
      exitCode: 2,
      hint: "e.g. --packages lib,tools",
    });
  }
  const text = !o.json && !settings.quiet;
  const report = await withInterrupt((signal) =>
    runSync({
      projectDir: projectDirOption(o.projectDir),
      dryRun: o.dryRun,
      jobs: o.jobs,
      packages,
      signal,
      reporter: {
        start(name, src) {
          if (text && (verbose >= 2 || !HIDDEN_SOURCES.has(src))) out(`>> ${name}`);
        },
        done(r) {
          if (!text || !shown(r, verbose)) return;
          const line = doneLine(r);
          out(r.outcome === "error" || r.outcome === "conflict" ? colors.red(line) : line);
        },
        warn: (m) => warn(m),
      },
    })
  );
  if (o.summary) {
    const file = resolve(o.summary);
    // Appended: $GITHUB_STEP_SUMMARY collects the summaries of every step.
    await Deno.writeTextFile(file, markdownSummary(report), { append: true }).catch((e) => {
      throw new IvpmError(`cannot write the sync summary to ${file}: ${(e as Error).message}`, {
        hint: "check that the directory exists and is writable",
      });
    });
  }
  if (!o.json && !settings.quiet) {
    if (verbose >= 1) { for (const l of attentionLines(report.results, verbose)) out(l); }
    for (const l of closingLines(report, verbose)) out(l);
  }
  const errors = report.results.filter((r) => r.outcome === "error");
  const conflicts = report.results.filter((r) => r.outcome === "conflict");
  const hint = verbose ? "see the messages above" : "re-run with -v for the details and next steps";
  const count = (n: number) => `${n} package${n === 1 ? "" : "s"}`;
  const names = (rs: { name: string }[]) => rs.map((r) => r.name).join(", ");
  let failure: IvpmError | undefined;
  if (errors.length) {
    const also = conflicts.length
      ? `; merge conflicts in ${count(conflicts.length)}: ${names(conflicts)}`
      : "";
    failure = new IvpmError(`sync failed for ${count(errors.length)}: ${names(errors)}${also}`, { hint });
  } else if (conflicts.length) {
    // A merge that stopped on conflicts did not sync: scripts and CI must see it.
    failure = new IvpmError(
      `sync stopped on merge conflicts in ${count(conflicts.length)}: ${names(conflicts)}`,
      { hint: `${hint}; resolve the conflicts by hand, then run 'ivpm sync' again` },
    );
  }
  if (o.json) {
    // One JSON document, the failure (if any) a field of it: `json.load` of stdout always works.
    out(JSON.stringify(
      {
        project: report.projectDir,
        dryRun: report.dryRun,
        lockUpdated: report.lockUpdated,
        counts: report.counts,
        packages: report.results,
        ...(failure
          ? { error: { message: failure.message, hint: failure.hint, exitCode: failure.exitCode } }
          : {}),
      },
      null,
      2,
    ));
    if (failure) {
      throw new ReportedInJsonError(failure.message, { hint: failure.hint, exitCode: failure.exitCode });
    }
  }
  if (failure) throw failure;
}
