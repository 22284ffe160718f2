/**
 * `ivpm init NAME` — writes a commented, valid ivpm.yaml.
 *
 * @module
 */

import { resolve } from "node:path";
import { parse } from "yaml";
import { IvpmError } from "../../base/errors.ts";
import { info } from "../../ui/log.ts";

import { REPOSITORY, SCHEMA_URL } from "../../base/version.ts";

/** The text `ivpm init` writes. */
export function initTemplate(name: string, version: string): string {
  // Plain only when YAML reads it back as the same string (`true`, `1e3`, `0x1F` would not be).
  const q = (v: string) => /^[A-Za-z0-9_.\-/]+$/.test(v) && readsBack(v) ? v : JSON.stringify(v);
  return `# yaml-language-server: $schema=${SCHEMA_URL}
#*****************************************************************************
#* ivpm.yaml — project file for ivpm (${REPOSITORY})
#* 'ivpm update' fetches the dependencies of a dep-set into packages/.
#* Offline schema: ivpm show --schema > ivpm.schema.json
#*****************************************************************************
package:
  name: ${q(name)}
  version: ${q(version)}

  # Dep-set used when 'ivpm update' is run without -d.
  default-dep-set: default-dev

  dep-sets:
    # Dependencies needed to use this project.
    - name: default
      deps: []
      # - name: mylib
      #   url: https://github.com/org/mylib.git
      #   branch: main

    # Everything in 'default', plus what is needed to develop it.
    - name: default-dev
      uses: default
      deps: []
      # - name: pytest
      #   src: pypi
`;
}

function readsBack(v: string): boolean {
  try {
    return parse(v) === v;
  } catch {
    return false;
  }
}

/** Options of `ivpm init`. */
export interface InitOptions {
  version?: string;
  force?: boolean;
  cwd?: string;
}

/** Runs `ivpm init`. */
export async function init(name: string, opts: InitOptions): Promise<void> {
  const file = resolve(opts.cwd ?? Deno.cwd(), "ivpm.yaml");
  let exists = false;
  try {
    await Deno.lstat(file);
    exists = true;
  } catch { /* does not exist */ }
  if (exists && !opts.force) {
    throw new IvpmError(`${file} already exists`, { hint: "use -f/--force to overwrite it" });
  }
  await Deno.writeTextFile(file, initTemplate(name, opts.version ?? "0.0.1"));
  info(`Created ${file}`);
}
