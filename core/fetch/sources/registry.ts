/**
 * The source registry: every `src:` type by name. Plugins register more.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { fileSource, httpSource } from "./archive.ts";
import { dirSource } from "./dir.ts";
import { ghReleaseSource } from "./gh_release.ts";
import { gitSource } from "./git.ts";
import { ivpmYamlSource } from "./ivpm_yaml.ts";
import { fusesocSource, moduleSource } from "./pending.ts";
import type { Source } from "./types.ts";
import { npmSource, packageJsonSource, pypiSource, pyprojectSource, urlSource } from "./virtual.ts";

/** Sources by name, in registration order. */
export class SourceRegistry {
  #sources = new Map<string, Source>();

  /** Adds a source; a name already taken is an error naming both origins. */
  register(source: Source): void {
    const prev = this.#sources.get(source.name);
    if (prev) {
      throw new IvpmError(
        `source type '${source.name}' is registered twice (by ${prev.origin} and by ${source.origin})`,
        { hint: "remove one of the plugins, or ask its author to rename the source" },
      );
    }
    this.#sources.set(source.name, source);
  }

  /** The source named `name`, or undefined. */
  get(name: string): Source | undefined {
    return this.#sources.get(name);
  }

  /** Every source, in registration order. */
  list(): Source[] {
    return [...this.#sources.values()];
  }
}

/** A registry holding the built-in sources, in the order `ivpm show source` lists them. */
export function builtinSourceRegistry(): SourceRegistry {
  const r = new SourceRegistry();
  for (
    const s of [
      dirSource,
      fileSource,
      httpSource,
      gitSource,
      pypiSource,
      urlSource,
      ghReleaseSource,
      fusesocSource,
      moduleSource,
      npmSource,
      packageJsonSource,
      pyprojectSource,
      ivpmYamlSource,
    ]
  ) r.register(s);
  return r;
}
