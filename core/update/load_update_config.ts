/**
 * Update step 1: the project's ivpm.yaml (remembered from the previous run when nothing it depends on
 * changed), the project state and the handler engine whose phase DAG is checked before any fetch.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { peekDepsDir } from "../config/deps_dir.ts";
import type { SchemaInputs } from "../config/ivpm_schema.ts";
import type { ProjectConfig } from "../config/model.ts";
import { registries, schemaInputs } from "../plugin_host/registries.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import { HandlerEngine } from "../engine/engine.ts";
import { activeHandlerRegistry } from "../plugin_host/active.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { versionText } from "../base/version.ts";
import { readProjectState } from "./project_state.ts";
import { hashOf } from "./known_packages.ts";
import { loadRootConfig } from "./root_config.ts";
import type { UpdateOptions } from "./update_types.ts";

/** The loaded project: everything later steps read. */
export interface LoadedProject {
  projectDir: string;
  sources: SourceRegistry;
  handlers: HandlerRegistry;
  env: Record<string, string>;
  report: (d: Diagnostic) => void;
  note: (message: string) => void;
  /** The project state (`ivpm.json`) of the previous run. */
  state: Awaited<ReturnType<typeof readProjectState>>;
  config: ProjectConfig;
  /** What to remember of the root config for the next run. */
  remember: Awaited<ReturnType<typeof loadRootConfig>>["remember"];
  rootReused: boolean;
  inputs: SchemaInputs;
  /** Hash of ivpm's version and the registered sources, types and handler options. */
  inputsHash: string;
  /** Absolute deps directory, as the config names it. */
  depsDir: string;
}

/** Reads the project state and the root ivpm.yaml; reports the config's warnings. */
export async function loadUpdateConfig(opts: UpdateOptions): Promise<LoadedProject> {
  const projectDir = resolve(opts.projectDir);
  const sources = opts.sources ?? registries().sources;
  const report = (d: Diagnostic) => opts.reporter?.diagnostic?.(d);
  const note = (message: string) => report({ severity: "note", message });
  const env = opts.env ?? Deno.env.toObject();

  const depsDirName = peekDepsDir(projectDir);
  const state = await readProjectState(
    join(projectDir, depsDirName),
    (m) => report({ severity: "warning", message: m }),
    note,
    projectDir,
  );
  const handlers = opts.handlers ?? activeHandlerRegistry();
  const { inputs, inputsHash } = parseInputs(handlers, sources);
  const { config, remember, reused: rootReused } = await loadRootConfig(
    projectDir,
    { definitions: opts.definitions, env, persisted: state.vars, inputs },
    inputsHash,
    state.root,
    { depsDir: depsDirName, note },
  );
  config.warnings.forEach(report);
  return {
    projectDir,
    sources,
    handlers,
    env,
    report,
    note,
    state,
    config,
    remember,
    rootReused,
    inputs,
    inputsHash,
    depsDir: join(projectDir, config.depsDir),
  };
}

/**
 * What an ivpm.yaml is parsed against — the registered sources, types and handler options — and its hash
 * with ivpm's version (the key of a remembered parse).
 */
export function parseInputs(
  handlers: HandlerRegistry = activeHandlerRegistry(),
  sources: SourceRegistry = registries().sources,
): { inputs: SchemaInputs; inputsHash: string } {
  const inputs = schemaInputs({ handlers, sources });
  return { inputs, inputsHash: hashOf({ ivpm: versionText(), inputs }) };
}

/** The handler engine of the run; its phase DAG is computed (and a cycle reported) here, before any fetch. */
export function createUpdateEngine(p: LoadedProject, opts: UpdateOptions): HandlerEngine {
  return new HandlerEngine({
    registry: p.handlers,
    projectDir: p.projectDir,
    depsDir: p.depsDir,
    withConfig: p.config.with,
    args: opts.handlerArgs,
    state: p.state.handlers,
    jobs: opts.jobs ?? navigator.hardwareConcurrency ?? 4,
    cacheDir: opts.cacheDir,
    emit: opts.reporter?.handlerEvent,
    warn: (message) => p.report({ severity: "warning", message }),
    note: (message) => p.report({ severity: "note", message }),
    leafTimeoutMs: opts.leafTimeoutMs,
    rootTimeoutMs: opts.rootTimeoutMs,
    signal: opts.signal,
    site: opts.site,
    env: p.env,
  });
}
