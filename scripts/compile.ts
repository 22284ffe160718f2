/**
 * `deno task compile` — builds the single `ivpm` binary for every release target (or the one given with
 * `--target <triple>`), with every runtime flag baked in and the commit stamped into `core/build_info.ts`
 * for the duration of the build. `--check` runs the real compile front end for the host with `DENORT_BIN`
 * pointed at this `deno` (denort cannot always be downloaded), which proves the module graph and the
 * embedded files are complete; the output is discarded.
 *
 * @module
 */

import { join } from "node:path";

/** Flags the binary runs with; `deno task install` uses the same ones. */
export const RUNTIME_FLAGS = ["--allow-all", "--unstable-worker-options"];
/** Modules loaded at run time by URL (the CLI behind main.ts, the worker entries): embedded explicitly. */
export const INCLUDES: string[] = [
  "core/cli/main.ts",
  "core/engine/trusted_worker.ts",
  "core/engine/sandbox_worker.ts",
  "core/plugin_host/credentials_worker.ts",
  "core/plugin_host/inspect_worker.ts",
  "core/plugin_host/site_config_worker.ts",
  "core/plugin_host/source_worker.ts",
];
/** Release targets and the asset name of each. */
export const TARGETS: Record<string, string> = {
  "x86_64-unknown-linux-gnu": "ivpm-x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu": "ivpm-aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin": "ivpm-x86_64-apple-darwin",
  "aarch64-apple-darwin": "ivpm-aarch64-apple-darwin",
  "x86_64-pc-windows-msvc": "ivpm-x86_64-pc-windows-msvc.exe",
};

const BUILD_INFO = new URL("../core/base/build_info.ts", import.meta.url);

async function commit(): Promise<string | undefined> {
  const r = await new Deno.Command("git", { args: ["rev-parse", "--short=12", "HEAD"], stderr: "null" })
    .output()
    .catch(() => undefined);
  return r?.success ? new TextDecoder().decode(r.stdout).trim() : undefined;
}

/** Why a compile failed, in one line, when it is the known case of an unreachable denort download. */
function offlineHint(stderr: string): string | undefined {
  if (!/dl\.deno\.land|error sending request|dns error|failed to lookup|Download/i.test(stderr)) {
    return undefined;
  }
  return "deno compile must download its runtime (denort) for each target, and dl.deno.land is not reachable " +
    "from here. Run `deno task compile:check` to check the module graph offline, or build where it is " +
    "reachable (the release workflow in .github/workflows/release.yml does).";
}

class CompileError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

async function compile(target: string | undefined, output: string, env: Record<string, string> = {}) {
  const args = [
    "compile",
    ...RUNTIME_FLAGS,
    ...INCLUDES.flatMap((f) => ["--include", f]),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
  console.error(`deno ${args.join(" ")}`);
  const r = await new Deno.Command(Deno.execPath(), { args, env, stdout: "inherit", stderr: "piped" })
    .output();
  const stderr = new TextDecoder().decode(r.stderr);
  if (!r.success) {
    const hint = offlineHint(stderr);
    if (!hint) await Deno.stderr.write(r.stderr);
    // Thrown, not exited: core/base/build_info.ts is restored on the way out.
    const where = target ?? "this machine";
    throw new CompileError(
      hint ? `cannot compile for ${where}: ${hint}` : `compile failed for ${where}`,
      r.code || 1,
    );
  }
  await Deno.stderr.write(r.stderr);
}

/** Runs `fn` with the commit stamped into core/base/build_info.ts, restoring the file afterwards. */
async function stamped<T>(fn: () => Promise<T>): Promise<T> {
  const original = await Deno.readTextFile(BUILD_INFO);
  const sha = await commit();
  if (sha) {
    await Deno.writeTextFile(
      BUILD_INFO,
      original.replace(
        "BUILD_COMMIT: string | undefined = undefined;",
        `BUILD_COMMIT: string | undefined = ${JSON.stringify(sha)};`,
      ),
    );
  }
  try {
    return await fn();
  } finally {
    await Deno.writeTextFile(BUILD_INFO, original);
  }
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--target");
  const only = at >= 0 ? Deno.args[at + 1] : undefined;
  if (only !== undefined && !(only in TARGETS)) {
    console.error(`error: unknown target '${only}' (one of ${Object.keys(TARGETS).join(", ")})`);
    Deno.exit(2);
  }
  try {
    await run(only);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    console.error(`error: ${e.message}`);
    Deno.exit(e.code);
  }
}

async function run(only: string | undefined): Promise<void> {
  if (Deno.args.includes("--check")) {
    const dir = await Deno.makeTempDir({ prefix: "ivpm-compile-check-" });
    try {
      await compile(undefined, join(dir, "ivpm"), { DENORT_BIN: Deno.execPath() });
      console.error("compile:check ok — module graph and embedded files are complete");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } else {
    await Deno.mkdir("dist", { recursive: true });
    await stamped(async () => {
      for (const t of only ? [only] : Object.keys(TARGETS)) await compile(t, join("dist", TARGETS[t]));
    });
  }
}
