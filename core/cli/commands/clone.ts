/**
 * `ivpm clone SRC [DIR]` — clone a project, optionally check out (or create) a
 * branch, then run `update` in it when it has an ivpm.yaml, as the original IVPM does.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import { resolveCacheDir } from "../../fetch/cache/dir.ts";
import { activeSiteSettings } from "./show_site_config.ts";
import { parseDefinitions } from "../../config/vars.ts";
import { IvpmError } from "../../base/errors.ts";
import { effectiveGitUrl, git } from "../../fetch/git/mod.ts";
import { info } from "../../ui/log.ts";
import { transcriptReporter } from "./transcript.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import { runUpdate } from "../../update/update.ts";
import { printSummary, withInterrupt } from "./update.ts";
import { handlerArgsFor } from "./handler_options.ts";

/** Flags of `ivpm clone`. */
export interface CloneFlags {
  anonymous?: boolean;
  branch?: string;
  depSet?: string;
  define?: string[];
  jobs?: number;
}

/** The directory name `git clone` would pick. */
export function defaultCloneDir(src: string): string {
  return basename(src.replace(/\/+$/, "").replace(/:/g, "/")).replace(/\.git$/, "");
}

/** `ivpm clone`. */
export async function clone(src: string, dir: string | undefined, o: CloneFlags): Promise<void> {
  const definitions = parseDefinitions(o.define ?? []);
  const target = resolve(dir ?? defaultCloneDir(src));
  const st = await lstatOrUndefined(target);
  if (st) {
    const empty = st.isDirectory && (await Array.fromAsync(Deno.readDir(target))).length === 0;
    if (!empty) {
      throw new IvpmError(`workspace directory '${target}' already exists and is not empty`, {
        hint: "choose another directory: ivpm clone <src> <dir>",
      });
    }
  }
  const url = effectiveGitUrl(src, { anonymous: !!o.anonymous });
  info(`Cloning ${url} into ${target}`);
  await git(["clone", "-q", "--", url, target]);
  if (o.branch) {
    const remote = await git(["ls-remote", "--heads", "origin", o.branch], { cwd: target });
    const args = remote.stdout.trim()
      ? ["checkout", "-q", "-B", o.branch, `origin/${o.branch}`]
      : ["checkout", "-q", "-b", o.branch];
    const r = await git(args, { cwd: target, allowFail: true });
    if (r.code !== 0) throw new IvpmError(`failed to check out branch '${o.branch}': ${r.stderr.trim()}`);
  }
  if (!(await lstatOrUndefined(resolve(target, "ivpm.yaml")))) {
    if (o.depSet) {
      throw new IvpmError(`dep-set '${o.depSet}' given but the cloned project has no ivpm.yaml`, {
        hint: "drop -d, or clone a project that has an ivpm.yaml",
      });
    }
    info("No ivpm.yaml in the cloned project; nothing to update");
    return;
  }
  const started = performance.now();
  const reporter = transcriptReporter();
  const site = (await activeSiteSettings()).settings;
  const cacheDir = resolveCacheDir({ siteDefault: site.cacheDir });
  const result = await withInterrupt((signal) =>
    runUpdate({
      projectDir: target,
      depSet: o.depSet,
      definitions,
      jobs: o.jobs || undefined,
      anonymousGit: o.anonymous,
      cacheDir,
      site,
      handlerArgs: handlerArgsFor("clone", o as Record<string, unknown>),
      signal,
      reporter,
    })
  ).finally(() => reporter.finish());
  printSummary(result, reporter.counts, started);
}
