/**
 * `ivpm pkg-info {incdirs,paths,libdirs,libs,flags} [-k KIND] PKG…` — reads the
 * `paths:` of packages' ivpm.yaml (and of their dependencies, transitively) and
 * prints one space-separated line. (The original's `paths` crashed and never read
 * ivpm.yaml.)
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { join } from "node:path";
import { loadConfigFile, loadProject } from "../../config/load.ts";
import { schemaInputs } from "../../plugin_host/registries.ts";
import { IvpmError } from "../../base/errors.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import { closestMatch } from "../../util/suggest.ts";
import { out } from "../../ui/log.ts";
import { depsGraph } from "./show_deps.ts";

/** What pkg-info prints. */
export type PkgInfoType = "incdirs" | "paths" | "libdirs" | "libs" | "flags";

/** Collects the requested entries; `kind` selects `paths.<kind>` (default: every kind). */
export async function pkgInfo(
  projectDir: string,
  type: PkgInfoType,
  pkgs: string[],
  kind?: string,
): Promise<string[]> {
  const inputs = schemaInputs();
  const root = loadProject(projectDir, { inputs });
  const deps = join(root.dir, root.depsDir);
  // Without a lock there is nothing fetched to read paths from: say what to do instead of printing nothing.
  if (!(await lstatOrUndefined(join(deps, "package-lock.json")))) {
    throw new IvpmError(`no packages in ${deps} yet (no package-lock.json)`, {
      hint: "run 'ivpm update' first",
    });
  }
  const { nodes } = await depsGraph(root.dir);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    order.push(name);
    for (const d of byName.get(name)?.deps ?? []) visit(d);
  };
  for (const p of pkgs) {
    if (p !== root.name && !byName.has(p)) {
      const m = closestMatch(p, [...byName.keys(), root.name]);
      throw new IvpmError(`unknown package '${p}'${m ? `; did you mean '${m}'?` : ""}`, {
        hint: "pkg-info takes names of the project's dependencies (see 'ivpm show deps')",
      });
    }
    visit(p);
  }
  const pathsOf = async (name: string): Promise<Record<string, Record<string, string[]>>> => {
    if (name === root.name) return root.paths;
    const file = join(deps, name, "ivpm.yaml");
    if (!(await lstatOrUndefined(file))) return {};
    return loadConfigFile(file, { inputs }).paths;
  };
  const pick = (paths: Record<string, Record<string, string[]>>, t: string) =>
    Object.entries(paths).filter(([k]) => !kind || k === kind).flatMap(([, types]) => types[t] ?? []);
  const outList: string[] = [];
  const add = (v: string) => {
    if (!outList.includes(v)) outList.push(v);
  };
  for (const name of order) {
    const paths = await pathsOf(name);
    if (type === "flags") {
      for (const d of pick(paths, "incdirs")) add(`-I${d}`);
    } else if (type === "paths") {
      for (const [k, types] of Object.entries(paths)) {
        if (kind && k !== kind) continue;
        // Library names are not paths.
        for (const [t, list] of Object.entries(types)) if (t !== "libs") list.forEach(add);
      }
    } else if (type === "libs") {
      // Library names are not paths: take them as written (basename of what the loader resolved).
      for (const l of pick(paths, "libs")) add(l.split(/[\\/]/).pop()!);
    } else {
      pick(paths, type).forEach(add);
    }
  }
  if (type === "flags") {
    for (const name of order) {
      const paths = await pathsOf(name);
      for (const d of pick(paths, "libdirs")) add(`-L${d}`);
      for (const l of pick(paths, "libs")) add(`-l${l.split(/[\\/]/).pop()}`);
    }
  }
  return outList;
}

/** `ivpm pkg-info`. */
export async function pkgInfoCommand(
  type: PkgInfoType,
  pkgs: string[],
  o: { kind?: string; projectDir?: string },
) {
  out((await pkgInfo(projectDirOption(o.projectDir), type, pkgs, o.kind)).join(" "));
}
