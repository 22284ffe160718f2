/**
 * Smoke test of an ivpm binary: `--version`, `update` of the bundled example, and `plugin add` of a local
 * plugin followed by an update that runs it — which exercises esbuild, the `data:` import and the worker
 * sandbox inside the binary. Run it on any build:
 *
 * ```sh
 * deno run -A scripts/smoke.ts dist/ivpm-x86_64-unknown-linux-gnu   # a compiled binary
 * deno run -A scripts/smoke.ts --deno                               # this checkout under `deno run`
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { RUNTIME_FLAGS } from "./compile.ts";

const ROOT = new URL("..", import.meta.url);
const rootPath = (p: string) => decodeURIComponent(new URL(p, ROOT).pathname);

/** The command that runs this checkout like the binary would. */
export function sourceCommand(): string[] {
  return [Deno.execPath(), "run", ...RUNTIME_FLAGS, "--config", rootPath("deno.json"), rootPath("main.ts")];
}

const PLUGIN = `import { PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";
import { label } from "./label.ts";

export class Smoke extends PackageHandler {
  static override name = "smoke";
  override onLeafPostLoad(pkg: PackageView): void {
    this.collect(label(pkg.name));
  }
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(info.outputDir + "/smoke.txt", info.records.map((r) => r.record).join(",") + "\\n");
  }
}
`;

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.name === "packages" || e.name === ".agents" || e.name === "fusesoc.conf") continue;
    const [a, b] = [join(from, e.name), join(to, e.name)];
    if (e.isDirectory) await copyTree(a, b);
    else if (e.isFile) await Deno.copyFile(a, b);
  }
}

/** Runs the smoke test with `cmd` as the ivpm command; throws naming the step that failed. */
export async function smoke(cmd: string[], log: (line: string) => void = console.error): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "ivpm-smoke-" });
  // A fresh home for ivpm; Deno's own module cache stays where it is (a compiled binary does not use it).
  const denoDir = Deno.env.get("DENO_DIR") ||
    join(Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? home, ".cache"), "deno");
  const env: Record<string, string> = {
    DENO_DIR: denoDir,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    IVPM_PLUGIN_CACHE: join(home, "plugin-cache"),
    IVPM_SITE_CONFIG_FILE: join(home, "site.yaml"),
    NO_COLOR: "1",
    // The caller's CI mode, cache and site choice must not leak into the smoke test.
    CI: "",
    IVPM_CACHE: "",
    IVPM_SITE_CONFIG_NAME: "",
  };
  const run = async (step: string, args: string[], cwd: string) => {
    const r = await new Deno.Command(cmd[0], { args: [...cmd.slice(1), ...args], cwd, env }).output();
    const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    if (!r.success) throw new Error(`smoke: ${step} failed (exit ${r.code}):\n${text}`);
    log(`ok   ${step}`);
    return text;
  };
  try {
    const version = await run("--version", ["--version"], home);
    if (!/^ivpm \d+\.\d+\.\d+ \(commit /.test(version)) {
      throw new Error(`smoke: unexpected --version: ${version}`);
    }

    const example = join(home, "hello");
    await copyTree(rootPath("examples/hello"), example);
    await run("update of examples/hello", ["update"], example);
    await Deno.stat(join(example, "packages", "package-lock.json"));
    await Deno.stat(join(example, "packages", "uart-ip"));

    const proj = join(home, "proj");
    await Deno.mkdir(join(proj, "tools"), { recursive: true });
    await Deno.mkdir(join(home, "dep"));
    await Deno.writeTextFile(join(home, "dep", "README"), "smoke\n");
    await Deno.writeTextFile(
      join(proj, "ivpm.yaml"),
      `package:\n  name: smoke\n  dep-sets:\n    - name: default\n      deps:\n        - name: dep\n          src: dir\n          url: ${
        join(home, "dep")
      }\n`,
    );
    await Deno.writeTextFile(join(proj, "tools", "smoke.ts"), PLUGIN);
    await Deno.writeTextFile(
      join(proj, "tools", "label.ts"),
      `export const label = (n: string) => "seen:" + n;\n`,
    );
    await run("plugin add of a local plugin", ["plugin", "add", "./tools/smoke.ts"], proj);
    await run("update running the plugin", ["update"], proj);
    const out = await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "smoke", "smoke.txt"));
    if (out !== "seen:dep\n") throw new Error(`smoke: the plugin wrote ${JSON.stringify(out)}`);
    log("ok   the plugin's leaf and root callbacks ran in their sandbox");
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const cmd = Deno.args[0] === "--deno" || Deno.args.length === 0 ? sourceCommand() : [Deno.args[0]];
  try {
    await smoke(cmd);
    console.error("smoke test passed");
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
