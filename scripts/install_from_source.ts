/**
 * `deno task install` — installs ivpm from this checkout so that `ivpm` works on a machine with only
 * Node/npm (Deno run through `npx`), from any directory, and keeps working when the checkout moves:
 *
 * - the runtime sources (main.ts, core/, plugins/, deno.json, deno.lock) are copied to
 *   `$IVPM_HOME` (default `~/.local/share/ivpm`), and their npm dependencies cached;
 * - the Deno executable running this script is used by absolute path, or copied beside the sources when
 *   it lives in a throw-away place (npx's cache) — `IVPM_COPY_DENO=1` forces the copy;
 * - a launcher `ivpm` is written to `$IVPM_INSTALL` (default `~/.local/bin`), and if that directory is not
 *   on PATH the line to add is printed.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INCLUDES, RUNTIME_FLAGS } from "./compile.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCES = ["main.ts", "deno.json", "deno.lock", "core", "plugins"];

async function copyTree(from: string, to: string): Promise<void> {
  const st = await Deno.stat(from);
  if (st.isFile) {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) await copyTree(join(from, e.name), join(to, e.name));
}

function onPath(dir: string, env: Record<string, string | undefined>): boolean {
  return (env.PATH ?? "").split(Deno.build.os === "windows" ? ";" : ":").some((p) =>
    p.replace(/\/+$/, "") === dir
  );
}

/** Whether `path` is in a cache that npm may clean at any time (npx runs). */
function throwAway(path: string): boolean {
  return /[\\/](_npx|\.npm|npm-cache)[\\/]/.test(path);
}

/** Installs; returns the launcher's path. */
export async function installFromSource(env: Record<string, string | undefined>, log = console.error) {
  const home = env.HOME ?? env.USERPROFILE ?? ".";
  const share = env.IVPM_HOME || join(home, ".local", "share", "ivpm");
  const bin = env.IVPM_INSTALL || join(home, ".local", "bin");
  const src = join(share, "src");
  const staging = `${src}.tmp-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  for (const s of SOURCES) await copyTree(join(ROOT, s), join(staging, s));
  await Deno.remove(src, { recursive: true }).catch(() => {});
  await Deno.rename(staging, src);

  let deno = Deno.execPath();
  if (env.IVPM_COPY_DENO === "1" || throwAway(deno)) {
    const copy = join(share, "bin", Deno.build.os === "windows" ? "deno.exe" : "deno");
    await Deno.mkdir(dirname(copy), { recursive: true });
    await Deno.copyFile(deno, `${copy}.tmp`);
    await Deno.chmod(`${copy}.tmp`, 0o755).catch(() => {});
    await Deno.rename(`${copy}.tmp`, copy);
    deno = copy;
  }

  const cached = await new Deno.Command(deno, {
    args: [
      "cache",
      "--config",
      join(src, "deno.json"),
      join(src, "main.ts"),
      ...INCLUDES.map((f) => join(src, f)),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!cached.success) {
    throw new Error(`caching ivpm's dependencies failed:\n${new TextDecoder().decode(cached.stderr)}`);
  }

  await Deno.mkdir(bin, { recursive: true });
  const launcher = join(bin, "ivpm");
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  await Deno.writeTextFile(
    launcher,
    `#!/bin/sh\n# Written by 'deno task install' (ivpm from source); re-run it to update.\nexec ${
      q(deno)
    } run ${RUNTIME_FLAGS.join(" ")} --config ${q(join(src, "deno.json"))} ${q(join(src, "main.ts"))} "$@"\n`,
  );
  await Deno.chmod(launcher, 0o755);
  log(`installed ${launcher} (sources in ${src}, Deno ${deno})`);
  if (!onPath(bin, env)) {
    log(`${bin} is not on your PATH. Add it, e.g. to ~/.bashrc or ~/.zshrc:`);
    log(`  export PATH="${bin}:$PATH"`);
  }
  return launcher;
}

if (import.meta.main) {
  try {
    await installFromSource(Deno.env.toObject());
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
