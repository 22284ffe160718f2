/**
 * `ivpm show deps` — the resolved dependency graph: the root's dep-set plus every
 * fetched package's own ivpm.yaml, resolved with the same rules as `update`
 * (nothing is fetched), annotated with what the lock recorded.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { join } from "node:path";
import { loadConfigFile, loadProject } from "../../config/load.ts";
import { registries, schemaInputs } from "../../plugin_host/registries.ts";
import { IvpmError, UsageError } from "../../base/errors.ts";
import { LOCK_FILE, type LockEntry, readLock } from "../../update/lock/lock_file.ts";
import { closestMatch } from "../../util/suggest.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import { err, out } from "../../ui/log.ts";
import { readProjectState } from "../../update/project_state.ts";
import { chooseDepSet } from "../../update/update.ts";
import { type ResolvedPackage, resolveGraph } from "../../update/resolver.ts";
import type { DependencySpec } from "../../config/model.ts";

/** One node of the graph, as printed by `--json`. */
export interface DepNode {
  name: string;
  src: string;
  resolvedBy: string;
  /** Who declared it (the original's key): the declaring package, or `root`. */
  specifier: string;
  alsoRequestedBy: string[];
  url?: string;
  branch?: string;
  tag?: string;
  commit?: string;
  version?: string;
  versionResolved?: string;
  cache?: boolean;
  depSet: string;
  fetched: boolean;
  deps: string[];
}

/** Flags of `ivpm show deps`. */
export interface ShowDepsFlags {
  projectDir?: string;
  depSet?: string;
  tree?: boolean;
  json?: boolean;
  dot?: boolean;
  output?: string;
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** The version `dep` asks for, as its source records it in the lock (gh-rls without `version:`: `latest`). */
function askedVersion(dep: DependencySpec): string | undefined {
  if (dep.options.version !== undefined) return str(dep.options.version);
  try {
    return str(registries().sources.get(dep.src)?.spec(dep).version_requested);
  } catch {
    return undefined; // a plugin source's spec: the version is only shown
  }
}

/** Builds the graph nodes of a project. */
export async function depsGraph(projectDir: string, depSetFlag?: string) {
  const inputs = schemaInputs();
  const config = loadProject(projectDir, { inputs });
  const depsDir = join(config.dir, config.depsDir);
  const lock = (await readLock(join(depsDir, LOCK_FILE)))?.lock;
  const state = await readProjectState(depsDir);
  const depSet = chooseDepSet(
    config,
    depSetFlag,
    typeof state["dep-set"] === "string" ? state["dep-set"] : null,
  );
  const rootDeps = depSet ? config.depSets.find((d) => d.name === depSet)!.deps : [];
  const fetched = new Set<string>();
  const graph = await resolveGraph({
    rootName: config.name,
    rootDeps,
    jobs: 8,
    // Names compare as in `update` (pypi's PEP 503-normalised; only packages with a directory collide).
    sourceOf: (dep) => inputs.sources.find((s) => s.name === dep.src),
    land: async (pkg: ResolvedPackage) => {
      const path = join(depsDir, pkg.name);
      if (await lstatOrUndefined(path)) fetched.add(pkg.name);
      const file = join(path, "ivpm.yaml");
      if (!(await lstatOrUndefined(file))) return {};
      try {
        return { config: loadConfigFile(file, { inputs }) };
      } catch {
        return {};
      }
    },
  });
  const nodes: DepNode[] = graph.packages.map((p) => {
    const e: Partial<LockEntry> = lock?.packages?.[p.name] ?? {};
    const o = p.dep.options;
    return {
      name: p.name,
      src: p.dep.src,
      resolvedBy: p.resolvedBy,
      specifier: p.resolvedBy,
      alsoRequestedBy: p.alsoRequestedBy,
      url: p.dep.url,
      branch: str(o.branch),
      tag: str(o.tag),
      commit: str(e.commit_resolved ?? o.commit),
      version: askedVersion(p.dep),
      versionResolved: str(e.version_resolved),
      cache: typeof o.cache === "boolean" ? o.cache : undefined,
      depSet: p.dep.depSet,
      fetched: fetched.has(p.name) || !!lock?.packages?.[p.name],
      deps: p.dep.skipDeps ? [] : p.declared.map((d) => d.name),
    };
  });
  return { config, depSet, nodes, hasLock: !!lock };
}

function label(url?: string): string {
  return (url ?? "").replace(/^(https?:\/\/|git@|file:\/\/)/, "");
}

/** `1a2b3c4d (tag v1.0)`: the commit, with the tag or branch it was asked for beside it. */
function ref(n: DepNode): string {
  const asked = n.tag ? `tag ${n.tag}` : n.branch ? `branch ${n.branch}` : "";
  if (!n.commit) return n.tag ?? n.branch ?? "";
  return asked ? `${n.commit.slice(0, 8)} (${asked})` : n.commit.slice(0, 8);
}

/** `ivpm show deps [NAME]`. */
export async function showDeps(name: string | undefined, o: ShowDepsFlags): Promise<void> {
  if (name && (o.tree || o.dot)) {
    throw new UsageError(`a package NAME and --${o.tree ? "tree" : "dot"} are mutually exclusive`);
  }
  if (o.dot && (o.json || o.tree)) throw new UsageError("--dot is mutually exclusive with --json and --tree");
  const dir = projectDirOption(o.projectDir);
  if (!(await lstatOrUndefined(join(dir, "ivpm.yaml")))) {
    throw new IvpmError(`no ivpm.yaml found in '${dir}'`, {
      hint: "run 'ivpm init' or pass -p <project-dir>",
    });
  }
  const { config, depSet, nodes, hasLock } = await depsGraph(dir, o.depSet);
  if (!hasLock) err("warning: no package-lock.json — resolved identity unavailable; run 'ivpm update' first");
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const lines: string[] = [];
  if (name) {
    const n = byName.get(name);
    if (!n) {
      const m = closestMatch(name, byName.keys());
      throw new IvpmError(`dependency '${name}' not found${m ? `; did you mean '${m}'?` : ""}`, {
        hint: `known packages: ${[...byName.keys()].sort().join(", ")}`,
      });
    }
    if (o.json) lines.push(JSON.stringify(n, null, 2));
    else {
      lines.push(`Package: ${n.name}`, `  Source:      ${n.src}`);
      for (
        const [k, v] of [
          ["URL", n.url],
          ["Branch", n.branch],
          ["Tag", n.tag],
          ["Commit", n.commit],
          [
            "Version",
            n.version,
          ],
          ["Version (resolved)", n.versionResolved],
          ["Cache", n.cache?.toString()],
        ] as const
      ) if (v) lines.push(`  ${(k + ":").padEnd(12)} ${v}`);
      lines.push(`  Dep-set used: ${n.depSet}`, `  Declared by: ${n.resolvedBy}`);
      if (n.alsoRequestedBy.length) lines.push(`  Also requested by: ${n.alsoRequestedBy.join(", ")}`);
      lines.push(`Declared dependencies: ${n.deps.join(", ") || "(none)"}`);
    }
  } else if (o.dot) {
    const colour: Record<string, string> = {
      git: "lightyellow",
      pypi: "lightgreen",
      "gh-rls": "lightcyan",
      http: "lightsalmon",
      file: "lightgrey",
    };
    lines.push(
      "digraph deps {",
      "  rankdir=LR;",
      `  "${config.name}" [shape=ellipse, style=filled, fillcolor=lightblue];`,
    );
    for (const n of nodes) {
      lines.push(`  "${n.name}" [shape=box, style=filled, fillcolor=${colour[n.src] ?? "white"}];`);
    }
    for (const n of nodes) {
      lines.push(`  "${n.resolvedBy === "root" ? config.name : n.resolvedBy}" -> "${n.name}";`);
      for (const other of n.alsoRequestedBy) lines.push(`  "${other}" -> "${n.name}" [style=dashed];`);
    }
    lines.push("}");
  } else if (o.tree) {
    const build = (n: DepNode, seen: Set<string>): unknown => ({
      ...n,
      deps: n.deps.map((c) => {
        const child = byName.get(c)!;
        return child.resolvedBy === n.name && !seen.has(c) ? build(child, new Set([...seen, c])) : {
          name: c,
          src: child.src,
          specifier: child.specifier,
          shadowed: true,
          providedBy: child.resolvedBy,
        };
      }),
    });
    const roots = nodes.filter((n) => n.resolvedBy === "root");
    if (o.json) {
      lines.push(JSON.stringify(
        {
          project: config.name,
          version: config.version,
          depSet,
          deps: roots.map((r) => build(r, new Set([r.name]))),
        },
        null,
        2,
      ));
    } else {
      lines.push(`${config.name}  (${depSet ?? "no dep-set"})`);
      const walk = (list: string[], parent: string, prefix: string, seen: Set<string>) => {
        list.forEach((c, i) => {
          const last = i === list.length - 1;
          const n = byName.get(c)!;
          const own = n.resolvedBy === parent && !seen.has(c);
          const text = own
            ? `${n.name}  [${n.src}]${n.version ? `  ${n.version}` : ""}${n.url ? `  ${label(n.url)}` : ""}${
              ref(n) ? `  @ ${ref(n)}` : ""
            }${n.alsoRequestedBy.length ? `  (also: ${n.alsoRequestedBy.join(", ")})` : ""}`
            : `${n.name}  ← provided by ${n.resolvedBy}`;
          lines.push(`${prefix}${last ? "└── " : "├── "}${text}`);
          if (own) walk(n.deps, n.name, prefix + (last ? "    " : "│   "), new Set([...seen, c]));
        });
      };
      walk(roots.map((r) => r.name), "root", "", new Set());
    }
  } else if (o.json) {
    lines.push(JSON.stringify(nodes, null, 2));
  } else {
    const rows = [...nodes].sort((a, b) => a.name.localeCompare(b.name)).map((n) => [
      n.name,
      n.src,
      n.resolvedBy,
      n.versionResolved ?? n.version ?? "",
      `${label(n.url)}${ref(n) ? ` @ ${ref(n)}` : ""}`,
    ]);
    const head = ["Package", "Src", "Declared by", "Version", "URL / Ref"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
    lines.push(fmt(head), w.map((x) => "-".repeat(x)).join("  "), ...rows.map(fmt));
  }
  const text = lines.join("\n") + "\n";
  if (o.output) await Deno.writeTextFile(o.output, text);
  else out(text.trimEnd());
}
