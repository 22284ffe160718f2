/**
 * `ivpm activate [-c CMD] [-p DIR] [args…]` — a shell (or one command) in the
 * project environment: the venv's bin first on PATH, `VIRTUAL_ENV`,
 * `IVPM_PROJECT` / `IVPM_PACKAGES`, then `package.env` directives. Exits with
 * the child's exit code.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { join } from "node:path";
import { loadProject } from "../../config/load.ts";
import { schemaInputs } from "../../plugin_host/registries.ts";
import { applyEnvDirectives } from "../../workspace/env_directives.ts";
import { IvpmError } from "../../base/errors.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import { warn } from "../../ui/log.ts";

/** The environment `activate` runs with. */
export async function activationEnv(projectDir: string): Promise<Record<string, string>> {
  const config = loadProject(projectDir, { inputs: schemaInputs() });
  const deps = join(config.dir, config.depsDir);
  if (!(await lstatOrUndefined(deps))) {
    throw new IvpmError(`no ${config.depsDir}/ directory in ${config.dir}`, {
      hint: "run 'ivpm update' first",
    });
  }
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    IVPM_PROJECT: config.dir,
    IVPM_PACKAGES: deps,
  };
  const venv = join(deps, "python");
  const bin = join(venv, Deno.build.os === "windows" ? "Scripts" : "bin");
  if (await lstatOrUndefined(bin)) {
    env.VIRTUAL_ENV = venv;
    const sep = Deno.build.os === "windows" ? ";" : ":";
    env.PATH = env.PATH ? `${bin}${sep}${env.PATH}` : bin;
    delete env.PYTHONHOME;
  } else {
    warn(`no Python venv in ${config.depsDir}/python; activating without it`);
  }
  return applyEnvDirectives(env, config.env);
}

/** `ivpm activate`. */
export async function activate(args: string[], o: { c?: string; projectDir?: string }): Promise<void> {
  const env = await activationEnv(projectDirOption(o.projectDir));
  const windows = Deno.build.os === "windows";
  let cmd: string[];
  if (o.c) {
    // Extra args become $1… of the command, as with `sh -c CMD sh ARGS`.
    cmd = windows ? ["cmd", "/C", [o.c, ...args].join(" ")] : ["/bin/sh", "-c", o.c, "sh", ...args];
  } else {
    const shell = windows ? (env.COMSPEC ?? "cmd") : (env.SHELL || "/bin/sh");
    cmd = [shell, ...args];
  }
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), env, clearEnv: true, stdin: "inherit" })
    .spawn();
  const status = await child.status;
  Deno.exit(status.code);
}
