/**
 * Sources whose fetch arrives with the built-in handlers issue (`fusesoc`,
 * `module`). They are registered now so ivpm.yaml files using them validate.
 *
 * @module
 */

import { IvpmError } from "../errors.ts";
import { infoOf } from "./info.ts";
import type { Source } from "./types.ts";

function pending(name: string): Source {
  return {
    ...infoOf(name),
    reproducible: false,
    spec: (dep) => ({ ...dep.options }),
    fetch: (dep) => {
      throw new IvpmError(
        `package '${dep.name}': src '${name}' is not supported by this version of ivpm yet`,
        {
          hint: "pin the package with src: git or src: http meanwhile",
        },
      );
    },
  };
}

/** `src: fusesoc`. */
export const fusesocSource: Source = pending("fusesoc");
/** `src: module`. */
export const moduleSource: Source = pending("module");
