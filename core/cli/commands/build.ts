/**
 * `ivpm build [-d DEP-SET] [-g]` — brings the workspace up to date (a no-op
 * update when nothing changed), then runs every handler's `build` in DAG order.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";

import { resolveCacheDir } from "../../fetch/cache/dir.ts";
import { HandlerEngine } from "../../engine/engine.ts";
import { activeHandlerRegistry } from "../../plugin_host/active.ts";
import { transcriptReporter } from "./transcript.ts";
import { warn } from "../../ui/log.ts";
import { packageView, runUpdate } from "../../update/update.ts";
import { registries } from "../../plugin_host/registries.ts";
import { activeSiteSettings } from "./show_site_config.ts";
import { withInterrupt } from "./update.ts";

/** `ivpm build`. */
export async function build(o: { projectDir?: string; depSet?: string; debug?: boolean }): Promise<void> {
  const site = (await activeSiteSettings()).settings;
  const reporter = transcriptReporter();
  const r = await withInterrupt((signal) =>
    runUpdate({
      projectDir: projectDirOption(o.projectDir),
      depSet: o.depSet,
      cacheDir: resolveCacheDir({ siteDefault: site.cacheDir }),
      site,
      signal,
      reporter,
    })
  ).finally(() => reporter.finish());
  const engine = new HandlerEngine({
    registry: activeHandlerRegistry(),
    projectDir: r.config.dir,
    depsDir: r.depsDir,
    withConfig: r.config.with,
    jobs: 1,
    site,
    emit: reporter.handlerEvent,
    warn,
  });
  try {
    const views = r.graph.packages.map((p) =>
      packageView(p, r.depsDir, !!registries().sources.get(p.dep.src)?.virtual)
    );
    await engine.build(views, !!o.debug);
  } finally {
    engine.close();
  }
}
