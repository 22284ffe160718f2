/**
 * `env:` directives (those of the original IVPM) applied to an environment map:
 * `value` sets, `path` sets a path list, `path-append` / `path-prepend` extend one.
 * `${KEY}` expands only when KEY is in the map (unknown references stay literal).
 *
 * @module
 */

import type { EnvDirective } from "../config/model.ts";

const SEP = Deno.build.os === "windows" ? ";" : ":";

function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k) => env[k] ?? m);
}

/** Applies directives in order to `env` (mutated and returned). */
export function applyEnvDirectives(
  env: Record<string, string>,
  directives: EnvDirective[],
): Record<string, string> {
  for (const d of directives) {
    const values = (Array.isArray(d.value) ? d.value : [d.value]).map((v) => expand(v, env));
    const old = env[d.name];
    switch (d.op) {
      case "value":
        env[d.name] = values.join(" ");
        break;
      case "path":
        env[d.name] = values.join(SEP);
        break;
      case "path-append":
        env[d.name] = old ? [old, ...values].join(SEP) : values.join(SEP);
        break;
      case "path-prepend":
        env[d.name] = old ? [...values, old].join(SEP) : values.join(SEP);
        break;
    }
  }
  return env;
}
