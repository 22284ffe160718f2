/**
 * `src: dir` — a local directory, symlinked into packages/ (or copied with `link: false`).
 *
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { copyTree } from "../../util/fs.ts";
import { infoOf } from "../../config/source_info.ts";
import type { Source } from "./types.ts";
import type { DependencySpec } from "../../config/model.ts";

/** Expands `$VAR` / `${VAR}` from `env` (default: the process's; the original did this for dir URLs). */
export function expandEnv(text: string, env?: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, b) => {
    const v = env ? env[a ?? b] : Deno.env.get(a ?? b);
    return v === undefined ? m : v;
  });
}

/** The local path a `file://` URL or plain path names, resolved against the project dir. */
export function localPath(url: string, projectDir: string, env?: Readonly<Record<string, string>>): string {
  let p = expandEnv(url, env);
  if (p.startsWith("file://")) p = decodeURIComponent(p.slice("file://".length));
  return isAbsolute(p) ? p : resolve(projectDir, p);
}

/** The dir source. */
export const dirSource: Source = {
  ...infoOf("dir"),
  live: true,
  reproducible: false,
  spec: (dep: DependencySpec) => ({
    path: dep.url?.replace(/^file:\/\//, ""),
    link: dep.options.link ?? true,
  }),
  async fetch(dep, ctx) {
    const path = localPath(dep.url!, ctx.projectDir, ctx.env);
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(path);
    } catch {
      throw new IvpmError(`source directory ${path} of package '${dep.name}' does not exist`, {
        hint: "check the url (file:// paths are relative to the project directory)",
      });
    }
    if (!st.isDirectory) {
      throw new IvpmError(`source ${path} of package '${dep.name}' is not a directory`, {
        hint: "use src: file for a single file or archive",
      });
    }
    if (dep.options.link === false) {
      const staged = join(ctx.workDir, "content");
      await copyTree(path, staged);
      ctx.note(`Copied ${dep.name} from ${path}`);
      return { placement: { kind: "path", staged }, lock: {} };
    }
    const target = await Deno.realPath(path);
    const current = await Deno.lstat(ctx.finalPath).catch(() => undefined);
    if (current?.isSymlink && (await Deno.realPath(ctx.finalPath).catch(() => undefined)) === target) {
      // Already linked there (a --refresh-all): nothing to redo.
      return { placement: { kind: "kept" }, lock: {} };
    }
    ctx.note(`Linked ${dep.name} to ${path}`);
    return { placement: { kind: "link", target }, lock: {} };
  },
};
