/**
 * Harvesting `src: pyproject.toml` packages: the PEP 508 requirements of the
 * sections named by `include` become pypi requirements.
 *
 * @module
 */

import { HandlerFatalError, type PackageView } from "@ivpm/plugin";
import { normalizeName, printable, requirementLineProblem, requirementName } from "./pep508.ts";
import { toolEnvVar } from "./tool.ts";

/** One requirement taken from a pyproject.toml. */
export interface HarvestedRequirement {
  /** PEP 503 normalised distribution name. */
  name: string;
  /** The requirement exactly as written in the file. */
  spec: string;
}

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `$VAR` / `${VAR}` from the environment; unknown variables are left as written (like os.path.expandvars). */
export function expandVars(text: string): string {
  return text.replace(
    /\$(\w+)|\$\{([^}]+)\}/g,
    (all, a?: string, b?: string) => toolEnvVar(a ?? b!) ?? all,
  );
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

/**
 * The file a `src: pyproject.toml` package names: `url: file://…`, else `path:`
 * (relative to the project), else the project's own `pyproject.toml`.
 */
export function pyprojectFile(pkg: PackageView, projectDir: string): { file: string; from: string } {
  const raw = pkg.url ?? (typeof pkg.options.path === "string" ? pkg.options.path : undefined);
  if (raw === undefined) return { file: `${projectDir}/pyproject.toml`, from: "pyproject.toml" };
  let p = expandVars(raw);
  if (p.startsWith("file://")) p = decodeURIComponent(p.slice("file://".length));
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    throw new HandlerFatalError(
      `package '${pkg.name}': src: pyproject.toml reads local files only, not '${raw}' (use a file:// URL or path:)`,
    );
  }
  return { file: isAbsolute(p) ? p : `${projectDir}/${p}`, from: raw };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function lookup(table: unknown, key: string): unknown {
  if (!isTable(table)) return undefined;
  if (key in table) return table[key];
  const want = normalizeName(key);
  const hit = Object.keys(table).find((k) => normalizeName(k) === want);
  return hit === undefined ? undefined : table[hit];
}

/** A dependency group with `{include-group = "…"}` entries expanded (PEP 735); a cycle is cut. */
function expandGroup(doc: Table, group: string, stack: string[] = []): string[] {
  const key = normalizeName(group);
  if (stack.includes(key)) return [];
  const entries = lookup(doc["dependency-groups"], group);
  if (!Array.isArray(entries)) return [];
  const out: string[] = [];
  for (const e of entries) {
    if (typeof e === "string") out.push(e);
    else if (isTable(e) && typeof e["include-group"] === "string") {
      out.push(...expandGroup(doc, e["include-group"], [...stack, key]));
    }
  }
  return out;
}

/** The requirement strings of `include` sections of a parsed pyproject.toml, in order. */
export function sectionRequirements(doc: Table, include: string[], where: string): string[] {
  const project = isTable(doc.project) ? doc.project : {};
  const optional = isTable(project["optional-dependencies"]) ? project["optional-dependencies"] : {};
  const groups = isTable(doc["dependency-groups"]) ? doc["dependency-groups"] : {};
  const out: string[] = [];
  for (const section of include) {
    if (section === "all") {
      out.push(...strings(project.dependencies));
      for (const x of Object.keys(optional)) out.push(...strings(optional[x]));
      for (const g of Object.keys(groups)) out.push(...expandGroup(doc, g));
    } else if (section === "dependencies") {
      out.push(...strings(project.dependencies));
    } else if (section.startsWith("optional-dependencies.")) {
      out.push(...strings(lookup(optional, section.slice("optional-dependencies.".length))));
    } else if (section.startsWith("dependency-groups.")) {
      out.push(...expandGroup(doc, section.slice("dependency-groups.".length)));
    } else {
      throw new HandlerFatalError(
        `${where}: unknown include section '${section}' (use dependencies, optional-dependencies.<extra>, ` +
          `dependency-groups.<group> or all)`,
      );
    }
  }
  return out;
}

/** Reads and harvests one `src: pyproject.toml` package; requirements are de-duplicated by name. */
export async function harvestPyproject(
  pkg: PackageView,
  projectDir: string,
): Promise<HarvestedRequirement[]> {
  const { file, from } = pyprojectFile(pkg, projectDir);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new HandlerFatalError(
        `package '${pkg.name}': src: pyproject.toml — file not found: ${file} (resolved from '${from}')`,
      );
    }
    throw e;
  }
  let doc: Table;
  // The TOML parser loads only when a pyproject.toml is harvested (keeps leaf workers quick to start).
  const { parse } = await import("smol-toml");
  try {
    doc = parse(text) as Table;
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new HandlerFatalError(`package '${pkg.name}': ${file} is not valid TOML: ${first}`);
  }
  const inc = pkg.options.include;
  const include = typeof inc === "string" ? [inc] : Array.isArray(inc) ? inc.map(String) : ["dependencies"];
  const seen = new Set<string>();
  const out: HarvestedRequirement[] = [];
  for (const raw of sectionRequirements(doc, include, `package '${pkg.name}' (${file})`)) {
    const spec = raw.trim();
    const name = requirementName(spec);
    // Written into a requirements file as is: it must stay one requirement there.
    const problem = requirementLineProblem(spec);
    if (!name || problem) {
      throw new HandlerFatalError(
        `package '${pkg.name}': '${printable(raw)}' in ${file} is not a PEP 508 requirement` +
          (problem ? ` (${problem})` : ""),
      );
    }
    const key = normalizeName(name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: key, spec });
  }
  return out;
}
