/**
 * `ivpm status` — per-package state (see core/status).
 *
 * @module
 */

import { resolve } from "node:path";
import { workspaceStatus } from "../status/status.ts";
import { colors, out } from "../ui/log.ts";

/** Flags of `ivpm status`. */
export interface StatusFlags {
  projectDir?: string;
  verbose?: number;
  json?: boolean;
}

/** `ivpm status`. */
export async function status(o: StatusFlags): Promise<void> {
  const rows = await workspaceStatus(resolve(o.projectDir ?? Deno.cwd()), navigator.hardwareConcurrency * 2);
  if (o.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  let clean = 0, modified = 0, git = 0;
  for (const r of rows) {
    if (r.vcs === "git") {
      git++;
      const changed = (r.modified ?? 0) + (r.untracked ?? 0) > 0;
      changed ? modified++ : clean++;
      const label = r.tag
        ? `tag:${r.tag}`
        : r.branch ?? (r.commit ? `(detached @ ${r.commit.slice(0, 7)})` : "(unknown)");
      const up = r.ahead === undefined
        ? "upstream:?"
        : r.ahead || r.behind
        ? `↑${r.ahead} ↓${r.behind}`
        : "upstream:=";
      const marker = changed ? colors.yellow("✎") : colors.green("✓");
      const state = changed ? "modified" : "clean";
      out(
        `  ${marker}  ${r.name.padEnd(30)} ${label.padEnd(26)} ${(r.commit ?? "").slice(0, 7).padEnd(8)} ${
          state.padEnd(10)
        } ${up}${r.matchesLock ? "" : "  (differs from lock)"}`,
      );
      if (r.error) out(`       ! ${r.error}`);
    } else {
      out(
        `  ~  ${r.name.padEnd(30)} (${r.src})${r.version ? ` ${r.version}` : ""}${
          r.present || r.matchesLock ? "" : "  (missing)"
        }`,
      );
    }
  }
  const nonVcs = rows.length - git;
  out(
    `\n${rows.length} package(s) · ${git} git (${clean} clean, ${modified} modified)${
      nonVcs ? ` · ${nonVcs} non-VCS` : ""
    }`,
  );
}
