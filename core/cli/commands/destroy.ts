/**
 * `ivpm destroy` — thin wrapper over {@link runDestroy}.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";

import { runDestroy } from "../../update/destroy.ts";
import { out, warn } from "../../ui/log.ts";

/** `ivpm destroy [-n] [--force] [--json]`. */
export async function destroy(o: { projectDir?: string; dryRun?: boolean; force?: boolean; json?: boolean }) {
  const r = await runDestroy({
    projectDir: projectDirOption(o.projectDir),
    dryRun: o.dryRun,
    force: o.force,
    warn,
  });
  if (o.json) return out(JSON.stringify(r, null, 2));
  const verb = o.dryRun ? "Would remove" : "Removed";
  for (const h of r.handlers) for (const p of h.paths) out(`${verb} ${p} (${h.handler})`);
  for (const p of r.removed) out(`${verb} ${p}`);
  if (!r.removed.length && !r.kept.length && !r.handlers.some((h) => h.paths.length)) {
    out("Nothing to remove");
  }
}
