/**
 * `ivpm plugin add|remove|list|update|check` and `ivpm show plugin`.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { dirname, join, resolve } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import type { PluginGrant } from "../../engine/registry.ts";
import {
  type PluginEntry,
  type PluginScope,
  projectPlugins,
  readConfigFile,
  siteConfigPath,
  userConfigPath,
} from "../../plugin_host/entries.ts";
import {
  addPluginEntry,
  listedPluginSpecs,
  removePluginEntry,
  replacePluginSpec,
} from "../../plugin_host/config_edit.ts";
import { isFrozen, resolvePlugin, yankedPicked } from "../../plugin_host/loader.ts";
import { pinFileFor, type PluginPin, readPins, writePins } from "../../plugin_host/pins.ts";
import { checkMeta, checkPin, metaKey } from "../../plugin_host/pin_check.ts";
import { findPin, prunePins } from "../../plugin_host/pin_match.ts";
import { readBundle, readMeta } from "../../plugin_host/store.ts";
import { formatPluginSpec, jsrVersions, parsePluginSpec } from "../../plugin_host/fetch/mod.ts";
import { registries } from "../../plugin_host/registries.ts";
import { closestMatch } from "../../util/suggest.ts";
import { colors, err, out, warn } from "../../ui/log.ts";

/** Where a plugin command acts. */
interface Target {
  scope: PluginScope;
  file: string;
}

function target(o: { user?: boolean; site?: boolean; projectDir?: string }): Target {
  if (o.user && o.site) throw new IvpmError("give either --user or --site, not both");
  if (o.user) return { scope: "user", file: userConfigPath() };
  if (o.site) return { scope: "site", file: siteConfigPath() };
  return { scope: "project", file: join(projectDirOption(o.projectDir), "ivpm.yaml") };
}

async function allEntries(projectDir: string): Promise<PluginEntry[]> {
  return [
    ...(await readConfigFile(siteConfigPath(), "site")).plugins,
    ...(await readConfigFile(userConfigPath(), "user")).plugins,
    ...(await projectPlugins(projectDir)),
  ];
}

/** `jsr:@acme/fusesoc@^1/sub` → `@acme/fusesoc`; URL → file name; used to match `remove NAME`. */
export function pluginShortName(spec: string): string {
  const m = /^(?:jsr|npm):(@[^/@]+\/[^/@]+|[^/@]+)/.exec(spec);
  if (m) return m[1];
  return spec.replace(/[?#].*$/, "").split("/").filter(Boolean).pop() ?? spec;
}

function matches(spec: string, name: string): boolean {
  const short = pluginShortName(spec);
  const last = short.split("/").pop()!;
  // `fusesoc` for jsr:@acme/fusesoc, `my_handler` for ./tools/my_handler.ts.
  return spec === name || short === name || last === name || last.replace(/\.[mc]?[jt]sx?$/, "") === name;
}

/** The one entry `name` designates among `specs`; an error when several do (say which, by full spec). */
function designated(specs: string[], name: string, file: string): string | undefined {
  if (specs.includes(name)) return name;
  const hits = specs.filter((s) => matches(s, name));
  if (hits.length > 1) {
    throw new IvpmError(`'${name}' matches several plugins in ${file}: ${hits.join(", ")}`, {
      hint: "give the full spec as it is listed",
    });
  }
  return hits[0];
}

function describeGrant(g: PluginGrant): string {
  const parts = ["read: project, packages/, cache" + (g.read?.length ? `, ${g.read.join(", ")}` : "")];
  parts.push(`write: ${g.write?.length ? g.write.join(", ") : "none"} (root callbacks: packages/)`);
  for (const k of ["run", "net", "env"] as const) {
    parts.push(`${k}: ${g[k]?.length ? g[k]!.join(", ") : "none"}`);
  }
  return parts.join("; ");
}

function printRegisters(pin: PluginPin): void {
  const r = pin.registers;
  out(`  registers: ${
    [
      r.handlers.length ? `handlers ${r.handlers.join(", ")}` : "",
      r.sources.length ? `sources ${r.sources.join(", ")}` : "",
      r.siteConfigs.length ? `site configs ${r.siteConfigs.join(", ")}` : "",
    ].filter(Boolean).join("; ")
  }`);
}

/**
 * `spec` with a caret range of `version` when it names a registry package without
 * a range (`jsr:@acme/x` → `jsr:@acme/x@^0.2.0`), as `deno add` and `npm install`
 * write it; with `force`, the range is replaced whatever it was. Else unchanged.
 */
function caretSpec(spec: string, file: string, version: string | undefined, force = false): string {
  const parsed = parsePluginSpec(spec, dirname(file));
  if ((parsed.kind !== "jsr" && parsed.kind !== "npm") || !version) return spec;
  if (parsed.range !== "*" && !force) return spec;
  return formatPluginSpec({ ...parsed, range: `^${version}` });
}

/** `spec` with its range opened to `*` (what `--latest` resolves), or undefined when it has no range. */
function anyVersion(spec: string, file: string): string | undefined {
  const parsed = parsePluginSpec(spec, dirname(file));
  if (parsed.kind !== "jsr" && parsed.kind !== "npm") return undefined;
  return formatPluginSpec({ ...parsed, range: "*" });
}

/** Writes `pins` to `pinPath`, keeping only the entries `file` still lists. */
async function savePins(pinPath: string, pins: ReturnType<typeof readPins>, file: string): Promise<void> {
  prunePins(pins, await listedPluginSpecs(file));
  await writePins(pinPath, pins);
}

/** Whether the registry marks a JSR pin's version as yanked (undefined when it cannot tell). */
async function isYanked(pin: PluginPin): Promise<boolean | undefined> {
  if (pin.kind !== "jsr" || !pin.version) return undefined;
  const pkg = /^jsr:(@[^/@]+\/[^/@]+)@/.exec(pin.resolved)?.[1];
  if (!pkg) return undefined;
  try {
    const versions = await jsrVersions(pkg, Deno.env, AbortSignal.timeout(10_000));
    return versions[pin.version]?.yanked === true;
  } catch {
    return undefined;
  }
}

function yankedPinned(spec: string, pin: PluginPin): string {
  return `plugin ${spec}: the pinned version ${pin.resolved} is yanked; run 'ivpm plugin update' to move off it ` +
    "(or '--latest' when the range has nothing newer)";
}

/** Flags of `ivpm plugin add`. */
export interface PluginAddFlags {
  user?: boolean;
  site?: boolean;
  projectDir?: string;
  allowRead?: string[];
  allowWrite?: string[];
  allowRun?: string[];
  allowNet?: string[];
  allowEnv?: string[];
}

/** `ivpm plugin add SPEC`. */
export async function pluginAdd(spec: string, o: PluginAddFlags): Promise<void> {
  if (isFrozen(false)) {
    throw new IvpmError("frozen mode (CI=true) does not add plugins", {
      hint: "add plugins locally and commit the pins",
    });
  }
  const t = target(o);
  // Before any network traffic: a second entry for the same spec is a mistake.
  if ((await listedPluginSpecs(t.file)).includes(spec)) {
    throw new IvpmError(`${spec} is already listed in ${t.file}`, {
      hint: "use 'ivpm plugin update' to move its pin",
    });
  }
  const base = resolve(t.file, "..");
  const grant: PluginGrant = {
    read: o.allowRead?.map((p) => resolve(base, p)),
    write: o.allowWrite?.map((p) => resolve(base, p)),
    run: o.allowRun,
    net: o.allowNet,
    env: o.allowEnv,
  };
  const entry: PluginEntry = { spec, grant, options: {}, scope: t.scope, file: t.file };
  const r = await resolvePlugin(entry);
  if (r.yanked) warn(yankedPicked(spec, r.pin));
  // A bare package name is written with a caret range of what was resolved, so updates stay in its major.
  const written = caretSpec(spec, t.file, r.pin.version);
  if (written !== spec && (await listedPluginSpecs(t.file)).includes(written)) {
    throw new IvpmError(`${written} is already listed in ${t.file}`, {
      hint: "use 'ivpm plugin update' to move its pin",
    });
  }
  // Name clashes with what is already registered are errors naming both origins.
  const reg = registries();
  for (const h of r.pin.registers.handlers) {
    const prev = reg.handlers.get(h);
    if (prev) throw new IvpmError(`handler '${h}' of ${spec} clashes with '${h}' from ${prev.origin}`);
  }
  for (const s of r.pin.registers.sources) {
    const prev = reg.sources.get(s);
    if (prev) throw new IvpmError(`source type '${s}' of ${spec} clashes with '${s}' from ${prev.origin}`);
  }
  await addPluginEntry(t.file, written, {
    read: o.allowRead,
    write: o.allowWrite,
    run: o.allowRun,
    net: o.allowNet,
    env: o.allowEnv,
  });
  const pinPath = pinFileFor(t.file);
  const pins = readPins(pinPath);
  pins.plugins[written] = r.pin;
  await savePins(pinPath, pins, t.file);
  out(`Added ${written} (${r.pin.resolved}) to ${t.file}`);
  printRegisters(r.pin);
  out(`  permissions: ${describeGrant(grant)}`);
  out(`  pinned in ${pinPath} (integrity ${r.pin.integrity})`);
}

/** `ivpm plugin remove NAME`. */
export async function pluginRemove(name: string, o: { user?: boolean; site?: boolean; projectDir?: string }) {
  const t = target(o);
  const wanted = designated(await listedPluginSpecs(t.file), name, t.file);
  const removed = wanted === undefined ? undefined : await removePluginEntry(t.file, (s) => s === wanted);
  if (!removed) {
    const known = (await allEntries(projectDirOption(o.projectDir))).filter((e) => e.scope === t.scope).map((
      e,
    ) => e.spec);
    const m = closestMatch(name, known.map(pluginShortName));
    throw new IvpmError(`no plugin '${name}' in ${t.file}${m ? `; did you mean '${m}'?` : ""}`, {
      hint: known.length ? `listed: ${known.join(", ")}` : "ivpm plugin list shows every configured plugin",
    });
  }
  const pinPath = pinFileFor(t.file);
  const pins = readPins(pinPath);
  delete pins.plugins[removed];
  await savePins(pinPath, pins, t.file);
  out(`Removed ${removed} from ${t.file}`);
}

/** `ivpm plugin list` (a pinned yanked JSR version is flagged, when the registry can be asked). */
export async function pluginList(o: { json?: boolean; projectDir?: string }): Promise<void> {
  const rows = [];
  for (const e of (await allEntries(projectDirOption(o.projectDir)))) {
    const pin = (await findPin(readPins(pinFileFor(e.file)), e.spec, e.file))?.pin;
    const yanked = pin ? await isYanked(pin) : undefined;
    if (pin && yanked) warn(yankedPinned(e.spec, pin));
    rows.push({
      spec: e.spec,
      scope: e.scope,
      file: e.file,
      pinned: pin?.resolved ?? null,
      yanked: yanked ?? null,
      registers: pin?.registers ?? null,
    });
  }
  if (o.json) return out(JSON.stringify(rows, null, 2));
  if (!rows.length) return out("No plugins configured");
  for (const r of rows) {
    const pinned = r.pinned
      ? r.pinned + (r.yanked ? colors.yellow(" (yanked)") : "")
      : colors.yellow("(not pinned)");
    out(`${r.spec.padEnd(40)} ${r.scope.padEnd(8)} ${pinned}`);
  }
}

/**
 * `ivpm plugin update [NAME]`: re-resolve within the ranges and move the pins;
 * `--latest` resolves the newest version whatever the range and rewrites the range.
 */
export async function pluginUpdate(
  name: string | undefined,
  o: { projectDir?: string; latest?: boolean },
): Promise<void> {
  if (isFrozen(false)) throw new IvpmError("frozen mode (CI=true) does not update plugin pins");
  const entries = (await allEntries(projectDirOption(o.projectDir))).filter((e) =>
    !name || matches(e.spec, name)
  );
  if (name && !entries.length) throw new IvpmError(`no configured plugin matches '${name}'`);
  for (const e of entries) {
    const pinPath = pinFileFor(e.file);
    const pins = readPins(pinPath);
    const found = await findPin(pins, e.spec, e.file);
    const before = found?.pin;
    const open = o.latest ? anyVersion(e.spec, e.file) : undefined;
    const r = await resolvePlugin(open ? { ...e, spec: open } : e);
    let spec = e.spec;
    if (open) {
      spec = caretSpec(e.spec, e.file, r.pin.version, true);
      if (spec !== e.spec) await replacePluginSpec(e.file, e.spec, spec);
    }
    if (found) delete pins.plugins[found.key];
    pins.plugins[spec] = r.pin;
    await savePins(pinPath, pins, e.file);
    if (r.yanked) warn(yankedPicked(spec, r.pin));
    if (
      before?.kind === "jsr" && before.version === r.pin.version &&
      before.source?.metaSha256 !== r.pin.source.metaSha256
    ) {
      warn(
        `plugin ${spec}: version ${r.pin.version} was re-published with different content; ` +
          `review the new code (the pin now holds it, integrity ${r.pin.integrity})`,
      );
    }
    const shown = spec === e.spec ? spec : `${e.spec} → ${spec}`;
    if (!before) out(`${shown}: pinned ${r.pin.resolved}`);
    else if (before.integrity === r.pin.integrity) out(`${shown}: up to date (${r.pin.resolved})`);
    else out(`${shown}: ${before.resolved} → ${r.pin.resolved}`);
  }
}

/** `ivpm plugin check`: re-fetch every pinned plugin and compare with the pins (for CI). Exit 1 on any mismatch. */
export async function pluginCheck(o: { projectDir?: string }): Promise<void> {
  let bad = 0;
  for (const e of (await allEntries(projectDirOption(o.projectDir)))) {
    const pinPath = pinFileFor(e.file);
    const pin = (await findPin(readPins(pinPath), e.spec, e.file))?.pin;
    if (!pin) {
      bad++;
      err(`${colors.red("✗")} ${e.spec}: not pinned`);
      continue;
    }
    try {
      checkPin(pin, e.spec, pinPath, resolve(pinPath, "..")); // an edited lock entry fails here
      // A tampered cached bundle or metadata fails here.
      if (readBundle(pin.bundle, e.spec) !== undefined) {
        const cached = readMeta(metaKey(pin));
        if (cached) checkMeta(pin, cached.meta, e.spec, pinPath, `in ${cached.path}`);
      }
      await resolvePlugin(e, { pinned: pin });
      if (await isYanked(pin)) warn(yankedPinned(e.spec, pin));
      out(`${colors.green("✓")} ${e.spec}: ${pin.resolved} matches its pin`);
    } catch (x) {
      bad++;
      err(`${colors.red("✗")} ${e.spec}: ${x instanceof Error ? x.message : x}`);
    }
  }
  if (bad) throw new IvpmError(`${bad} plugin(s) do not match their pins`);
}

/** `ivpm show plugin NAME`. */
export async function showPlugin(name: string, o: { json?: boolean; projectDir?: string }): Promise<void> {
  const entries = await allEntries(projectDirOption(o.projectDir));
  const e = entries.find((x) => matches(x.spec, name));
  if (!e) {
    const m = closestMatch(name, entries.map((x) => pluginShortName(x.spec)));
    throw new IvpmError(`no configured plugin '${name}'${m ? `; did you mean '${m}'?` : ""}`);
  }
  const pin = (await findPin(readPins(pinFileFor(e.file)), e.spec, e.file))?.pin;
  if (o.json) return out(JSON.stringify({ ...e, pin: pin ?? null }, null, 2));
  out(`Plugin: ${e.spec}`);
  out(`  scope: ${e.scope} (${e.file})`);
  if (!pin) return out("  not pinned: run 'ivpm plugin update'");
  out(`  resolved: ${pin.resolved}`);
  out(`  entry: ${pin.entry}`);
  out(`  integrity: ${pin.integrity}`);
  printRegisters(pin);
  out(`  permissions: ${describeGrant(e.grant)}`);
}
