/**
 * `src: ivpm.yaml` — a dep-set factory: the dependencies of a dep-set in another
 * ivpm.yaml (local, file:// or http(s)) become this package's dependencies
 * (as in the original IVPM). Nothing is created under packages/.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { readTextOrUndefined } from "../../config/read_text.ts";
import type { SchemaInputs } from "../../config/ivpm_schema.ts";
import type { DependencySpec, ProjectConfig } from "../../config/model.ts";
import { IvpmError } from "../../base/errors.ts";
import { downloadToFile } from "../net/mod.ts";
import { expandEnv } from "./dir.ts";
import { urlFileName } from "./download_name.ts";
import { infoOf } from "../../config/source_info.ts";
import type { Source } from "./types.ts";

/** Loads the factory file a dependency names; returns its config and lock facts. */
export async function loadFactory(
  dep: DependencySpec,
  depsDir: string,
  signal?: AbortSignal,
  inputs?: SchemaInputs,
  env?: Readonly<Record<string, string>>,
): Promise<{ config: ProjectConfig; fingerprint: string; deps: DependencySpec[]; source: string }> {
  const url = dep.url!;
  let file: string;
  if (/^https?:\/\//.test(url)) {
    const key = createHash("sha256").update(url).digest("hex").slice(0, 16);
    // The URL's file name is checked before it becomes part of a path (it may come from a dependency).
    const base = urlFileName(url);
    file = join(depsDir, ".ivpm-sources", `${key}-${base}`);
    await downloadToFile(url, file, { signal, timeoutMs: 30_000 });
  } else {
    let p = expandEnv(url, env);
    if (p.startsWith("file://")) p = decodeURIComponent(p.slice(7));
    // Relative to the file that declared it.
    file = isAbsolute(p) ? p : resolve(dirname(dep.loc.file), p);
    if (!(await Deno.stat(file).catch(() => undefined))) {
      throw new IvpmError(`package '${dep.name}' (src: ivpm.yaml): file not found: ${file}`, {
        hint: `check the url at ${dep.loc.file}:${dep.loc.line}`,
      });
    }
  }
  // Bounded, regular files only: a factory path naming /dev/zero or a FIFO must not hang the update.
  const text = readTextOrUndefined(file);
  if (text === undefined) {
    throw new IvpmError(`package '${dep.name}' (src: ivpm.yaml): file not found: ${file}`, {
      hint: `check the url at ${dep.loc.file}:${dep.loc.line}`,
    });
  }
  const { loadConfigFile } = await import("../../config/load.ts");
  const config = loadConfigFile(file, { read: (p) => (p === file ? text : undefined), inputs });
  const ds = config.depSets.find((d) => d.name === dep.depSet);
  if (!ds) {
    throw new IvpmError(
      `dep-set factory '${dep.name}' (${url}) has no dep-set '${dep.depSet}' (it has: ${
        config.depSets.map((d) => d.name).join(", ") || "none"
      })`,
      { hint: `add 'dep-set: <name>' to the declaration of '${dep.name}'` },
    );
  }
  const fingerprint = "sha256:" + createHash("sha256").update(text).digest("hex");
  return { config, fingerprint, deps: ds.deps, source: `${url}#${dep.depSet}` };
}

/** The ivpm.yaml source (its fetch is done by the pipeline through {@link loadFactory}). */
export const ivpmYamlSource: Source = {
  ...infoOf("ivpm.yaml"),
  factory: true,
  reproducible: true,
  spec: (dep) => ({ url: dep.url, dep_set: dep.depSet }),
  fetch: () => Promise.resolve({ placement: { kind: "none" }, lock: {} }),
};
