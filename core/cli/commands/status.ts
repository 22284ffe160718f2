/**
 * `ivpm status [-p DIR] [-v] [--json]` — per-package state (see core/status).
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";

import { renderStatus } from "../../workspace/status/render.ts";
import { workspaceStatus } from "../../workspace/status/status.ts";
import { colors, err, out, settings } from "../../ui/log.ts";

/** Flags of `ivpm status`. */
export interface StatusFlags {
  projectDir?: string;
  verbose?: number;
  json?: boolean;
}

/** `ivpm status`: prints the table (or the JSON rows); exit 0 whatever the packages' state. */
export async function status(o: StatusFlags): Promise<void> {
  const rows = await workspaceStatus(projectDirOption(o.projectDir), {
    warn: (m) => err(`${colors.yellow("warning:")} ${m}`),
    env: Deno.env.toObject(),
  });
  if (o.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  const verbose = Math.max(o.verbose ?? 0, settings.verbose);
  for (const line of renderStatus(rows, { verbose, palette: colors })) out(line);
}
