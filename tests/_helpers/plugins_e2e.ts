/**
 * End-to-end fixtures for plugin tests: an isolated "machine" for the real CLI
 * (its own user config, site config file, caches and plugin cache, `CI` unset
 * so nothing is frozen by accident), the `@acme/fusesoc` package the fake JSR
 * registry serves, and small plugin sources.
 *
 * ```ts
 * await using m = await pluginMachine({ JSR_URL: jsr.url });
 * const r = await m.run(["plugin", "add", "jsr:@acme/fusesoc@^1"], { cwd: project });
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { type CliResult, runIvpm } from "./cli.ts";
import type { FakeJsrVersion } from "./fake_jsr.ts";
import { removeTree } from "../../core/util/fs.ts";
import { writeTree } from "./temp.ts";

/** Shared with the other tests; re-exported for the plugin tests that import it from here. */
export { writeTree };

/** An isolated machine for CLI runs; removed with `await using` (or `dispose()`). */
export interface PluginMachine extends AsyncDisposable {
  /** Temp root holding everything below (real path). */
  root: string;
  /** `$XDG_CONFIG_HOME/ivpm/config.yaml`. */
  userConfig: string;
  /** The site config file (`IVPM_SITE_CONFIG_FILE`; absent until written). */
  siteConfig: string;
  /** `IVPM_PLUGIN_CACHE`. */
  pluginCache: string;
  /** `XDG_CACHE_HOME`. */
  cacheHome: string;
  /** The environment every run gets (before per-run additions). */
  env: Record<string, string>;
  /** Runs `ivpm <args>` (cwd default: root); `env` adds or overrides variables, `unsetEnv` removes them. */
  run(args: string[], opts?: { cwd?: string; env?: Record<string, string>; unsetEnv?: string[] }): Promise<
    CliResult
  >;
  dispose(): Promise<void>;
}

/** Variables of the developer's (or CI's) environment that would leak into a test run. */
const LEAKY = ["IVPM_SITE_CONFIG_NAME", "GITHUB_TOKEN", "IVPM_CACHE", "CI", "JSR_URL"];

/** Creates the machine. `extraEnv` is added to every run (e.g. `JSR_URL`). */
export async function pluginMachine(extraEnv: Record<string, string> = {}): Promise<PluginMachine> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-plugins-e2e-" }));
  const configHome = join(root, "config");
  const cacheHome = join(root, "cache");
  const pluginCache = join(root, "plugin-cache");
  await Deno.mkdir(join(configHome, "ivpm"), { recursive: true });
  await Deno.mkdir(cacheHome);
  const env: Record<string, string> = {
    XDG_CONFIG_HOME: configHome,
    XDG_CACHE_HOME: cacheHome,
    IVPM_PLUGIN_CACHE: pluginCache,
    IVPM_SITE_CONFIG_FILE: join(root, "etc-ivpm-config.yaml"),
    IVPM_CACHE: "",
    // CI runs with CI=true, which means frozen: only tests about frozen mode set it.
    CI: "",
    NO_COLOR: "1",
    ...extraEnv,
  };
  const dispose = () => removeTree(root);
  return {
    root,
    userConfig: join(configHome, "ivpm", "config.yaml"),
    siteConfig: env.IVPM_SITE_CONFIG_FILE,
    pluginCache,
    cacheHome,
    env,
    run: (args, opts = {}) => {
      const merged = { ...env, ...opts.env };
      for (const k of opts.unsetEnv ?? []) delete merged[k];
      return runIvpm(args, {
        cwd: opts.cwd ?? root,
        env: merged,
        unsetEnv: [...LEAKY, ...(opts.unsetEnv ?? [])],
      });
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/** Runs and asserts success, with the output in the failure message. */
export async function ok(
  m: PluginMachine,
  args: string[],
  opts?: Parameters<PluginMachine["run"]>[1],
): Promise<CliResult> {
  const r = await m.run(args, opts);
  if (r.code !== 0) {
    throw new Error(`ivpm ${args.join(" ")} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

/**
 * `mod.ts` of `@acme/fusesoc` at `version`: a handler `fusesoc-libs` whose leaf
 * callback finds `*.core` files (through `./lib/detect.ts`) and whose root
 * callback writes `packages/fusesoc-libs.txt`: the version, then one
 * `<package> <core file>` line per core found.
 */
export function fusesocMod(version: string): string {
  return `import { type LeafInfo, PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";
import { coreFiles } from "./lib/detect.ts";

/** Lists packages holding FuseSoC cores. */
export class FuseSocLibs extends PackageHandler {
  static override name = "fusesoc-libs";
  static override description = "Lists packages holding FuseSoC .core files";
  override async onLeafPostLoad(pkg: PackageView, _info: LeafInfo): Promise<void> {
    if (pkg.virtual) return;
    for (const file of await coreFiles(pkg.path)) this.collect({ file });
  }
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const lines = info.records.map((r) => \`\${r.package} \${(r.record as { file: string }).file}\\n\`);
    await Deno.writeTextFile(\`\${info.outputDir}/fusesoc-libs.txt\`, "${version}\\n" + lines.join(""));
  }
}
`;
}

const DETECT = `/** Names of the *.core files directly in dir. */
export async function coreFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".core")) out.push(e.name);
  return out.sort();
}
`;

const SUB = `import { PackageHandler, type RootInfo } from "@ivpm/plugin";

/** The subpath export: a second, separate handler. */
export class FuseSocSub extends PackageHandler {
  static override name = "fusesoc-sub";
  static override description = "The ./sub export of @acme/fusesoc";
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(\`\${info.outputDir}/fusesoc-sub.txt\`, "sub\\n");
  }
}
`;

/** One published version of `@acme/fusesoc` (exports `.` and `./sub`). */
export function fusesocVersion(version: string, yanked = false): FakeJsrVersion {
  return {
    files: {
      "/mod.ts": fusesocMod(version),
      "/lib/detect.ts": DETECT,
      "/sub.ts": SUB,
      "/README.md": `# @acme/fusesoc ${version}\n`,
    },
    exports: { ".": "./mod.ts", "./sub": "./sub.ts" },
    yanked,
  };
}

/** `@acme/fusesoc`: 1.0.0, 1.1.0, 1.2.0 (yanked) and 2.0.0. */
export function fusesocPackage(): Record<string, FakeJsrVersion> {
  return {
    "1.0.0": fusesocVersion("1.0.0"),
    "1.1.0": fusesocVersion("1.1.0"),
    "1.2.0": fusesocVersion("1.2.0", true),
    "2.0.0": fusesocVersion("2.0.0"),
  };
}

/**
 * Source of a plugin with one handler `name` whose root callback writes
 * `packages/<name>.txt` holding `text` (a JS expression, e.g. an imported constant).
 */
export function markerHandler(name: string, text: string, imports = ""): string {
  return `import { PackageHandler, type RootInfo } from "@ivpm/plugin";
${imports}
export class Marker extends PackageHandler {
  static override name = ${JSON.stringify(name)};
  static override description = "writes packages/${name}.txt";
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(\`\${info.outputDir}/${name}.txt\`, String(${text}));
  }
}
`;
}

/** Writes `<root>/src/ip/ip.core` (a minimal FuseSoC core) and returns the `file://` URL of `src/ip`. */
export async function writeIpSource(root: string): Promise<string> {
  await writeTree(root, { "src/ip/ip.core": "CAPI=2:\n" });
  return `file://${root}/src/ip`;
}

/** ivpm.yaml text of the project `soc`: these `plugins:` entries and a default dep-set of `deps` (name → url). */
export function socYaml(deps: Record<string, string>, plugins: string[] = []): string {
  const pluginLines = plugins.length ? `  plugins:\n${plugins.map((p) => `    - ${p}\n`).join("")}` : "";
  const depLines = Object.entries(deps).map(([name, url]) =>
    `        - name: ${name}\n          url: ${url}\n`
  );
  return `package:\n  name: soc\n${pluginLines}  dep-sets:\n    - name: default\n      deps:\n${
    depLines.join("")
  }`;
}
