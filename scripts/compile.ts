/**
 * `deno task compile` — builds the single `ivpm` binary for every release target,
 * with every runtime flag baked in. `--check` runs the real compile front end
 * for the host with `DENORT_BIN` pointed at this `deno` (denort cannot be
 * downloaded here), which proves the module graph and the embedded files are
 * complete; the output is discarded.
 *
 * @module
 */

import { join } from "node:path";

/** Flags the binary runs with; `deno task install` uses the same ones. */
export const RUNTIME_FLAGS = ["--allow-all", "--unstable-worker-options"];
/** Files loaded at run time by URL (workers), embedded explicitly. */
export const INCLUDES: string[] = ["core/handlers/trusted_worker.ts", "core/handlers/sandbox_worker.ts"];
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

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
  const r = await new Deno.Command(Deno.execPath(), { args, env, stdout: "inherit", stderr: "inherit" })
    .output();
  if (!r.success) {
    console.error(`compile failed for ${target ?? "host"}`);
    Deno.exit(r.code || 1);
  }
}

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
  for (const t of TARGETS) await compile(t, join("dist", `ivpm-${t}${t.includes("windows") ? ".exe" : ""}`));
}
