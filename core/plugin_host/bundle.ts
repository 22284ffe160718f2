/**
 * Bundles a fetched plugin source graph into one ES module, to be imported from
 * a `data:` URL (a compiled ivpm cannot import remote or non-embedded code).
 *
 * Why native `npm:esbuild` and not `npm:esbuild-wasm` (measured here, Deno 2.9.6,
 * esbuild 0.28.2, a three-file TS graph, 50 builds each):
 *
 * | variant                         | first build | warm build | memory                      |
 * | ------------------------------- | ----------- | ---------- | --------------------------- |
 * | `esbuild` (native, child proc.) | ~37 ms      | ~5 ms      | +10 MiB in Deno, 18 MiB child |
 * | `esbuild-wasm`, Node API        | ~1600 ms    | ~66 ms     | 300 MiB child (it spawns too) |
 * | `esbuild-wasm`, in-process      | ~870 ms     | ~76 ms     | +150 MiB in Deno (240 peak)   |
 *
 * `esbuild-wasm`'s Node entry point spawns a child process as well, so only its
 * browser build run in-process avoids spawning, at 15× the time and 8× the memory.
 * Native it is. Its cost is `--allow-run`, and inside a `deno compile`d binary its
 * executable sits in the binary's in-memory file system, which the OS cannot
 * exec. So in a compiled binary ({@linkcode Deno.build.standalone}) the executable
 * is copied once per process into a private temporary directory and handed to
 * esbuild through `ESBUILD_BINARY_PATH`. `deno compile` embeds the right
 * `@esbuild/<os>-<arch>` package for each `--target` by itself; the compile task
 * needs `--allow-run` (or `-A`) and must not use `--bundle` (which would drop the
 * executable); `--self-extracting` is not needed. (A real binary cannot be run
 * here: the copy path is tested under `deno run`; should it fail in a release
 * build, `--self-extracting` is the fallback.)
 *
 * esbuild reads nothing from disk or network for plugin code: every module comes
 * from {@linkcode BundleInput.files} through the plugin below, and anything else
 * is an error.
 *
 * @module
 */

import { createRequire } from "node:module";
import { basename, join } from "node:path";
import type * as Esbuild from "esbuild";
import { IvpmError } from "../base/errors.ts";
import { classifyPluginImport, computedImport } from "./import_rules.ts";
import { apiHeader } from "./api_version.ts";

/** A plugin's source graph, as fetched. */
export interface BundleInput {
  /** URL of the plugin's entry module; must be a key of `files`. */
  entry: string;
  /** Source text of every module of the plugin, keyed by URL. */
  files: Map<string, string>;
  /** Names the plugin in messages (its spec); default: the entry URL. */
  plugin?: string;
}

/** One self-contained ES module. */
export interface BundleResult {
  /**
   * ESM JavaScript; imports nothing but `@ivpm/plugin` (and `node:` built-ins). When the plugin
   * imports the API with version ranges, its first line records them (see `api_version.ts`).
   */
  code: string;
  /** The `@ivpm/plugin` version ranges the plugin's code imports, sorted and unique (empty: any). */
  apiRanges: string[];
  /** `sha256-<hex>` of `code` as UTF-8. */
  sha256: string;
}

/** The specifier the host's import map resolves to its own plugin API. */
const PLUGIN_API = "@ivpm/plugin";
/** Esbuild namespace of modules served from {@linkcode BundleInput.files}. */
const NAMESPACE = "ivpm-plugin";

/** esbuild's JavaScript API, as `import("esbuild")` gives it. */
export type EsbuildApi = typeof Esbuild;

/**
 * Bundles `input` into one ES module. The same input always gives the same bytes.
 *
 * What may be imported is decided by `classifyPluginImport` (the rule the fetcher
 * uses too). `@ivpm/plugin` and `jsr:@ivpm/plugin[@range]` stay external (both
 * written as `@ivpm/plugin`, which the host's import map resolves, so the plugin
 * shares the host's classes; the ranges are recorded in the code's first line);
 * `node:` built-ins stay external; every other import must resolve, relative to
 * its importer, to a key of `input.files`.
 *
 * @throws {IvpmError} when an import is not among the files, a file has a syntax
 * error (the message names the file URL and line), or esbuild cannot run.
 */
export async function bundlePlugin(input: BundleInput): Promise<BundleResult> {
  const files = new Map<string, string>();
  for (const [url, text] of input.files) files.set(normaliseUrl(url), text);
  const entry = normaliseUrl(input.entry);
  if (!files.has(entry)) {
    throw new IvpmError(`Plugin entry ${input.entry} is not among the fetched plugin files`, {
      hint: "check the plugin's entry point (its exports) names a file the plugin publishes",
    });
  }
  // First problem our own callbacks found: reported as is, rather than through esbuild's wording.
  const problems: IvpmError[] = [];
  const apiRanges = new Set<string>();
  const plugin = input.plugin ?? input.entry;
  const result = await withEsbuild(async (esbuild) => {
    try {
      return await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "esnext",
        external: [PLUGIN_API, `jsr:${PLUGIN_API}`],
        // Bundling renames clashing top-level names; keep `.name` of classes and functions as written.
        keepNames: true,
        // No tsconfig lookup: plugin modules are not files, and the output must not depend on the disk.
        tsconfigRaw: {},
        charset: "utf8",
        write: false,
        logLevel: "silent",
        plugins: [memoryPlugin(files, problems, plugin, apiRanges)],
      });
    } catch (err) {
      throw problems[0] ?? toIvpmError(err, input.entry);
    }
  });
  const ranges = [...apiRanges].sort();
  const code = apiHeader(ranges) + (result.outputFiles?.[0]?.text ?? "");
  const computed = computedImport(code);
  if (computed) {
    throw new IvpmError(`Plugin ${input.entry} loads code at run time with '${computed}'`, {
      hint: "plugins may import only string-literal specifiers, so that what runs is what was verified",
    });
  }
  return { code, sha256: await sha256Of(code), apiRanges: ranges };
}

export { dataUrl } from "./data_url.ts";

/**
 * The esbuild plugin that serves modules from `files` only, and refuses anything else. The API ranges
 * the code imports are added to `apiRanges`.
 */
function memoryPlugin(
  files: Map<string, string>,
  problems: IvpmError[],
  plugin: string,
  apiRanges: Set<string>,
): Esbuild.Plugin {
  return {
    name: "ivpm-plugin-files",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return { path: args.path, namespace: NAMESPACE };
        const spec = args.path;
        let target;
        try {
          target = classifyPluginImport(plugin, spec, args.importer);
        } catch (err) {
          if (!(err instanceof IvpmError)) throw err;
          problems.push(err);
          return { errors: [{ text: err.message }] };
        }
        if (target.kind === "api") {
          if (target.range !== undefined) apiRanges.add(target.range);
          return { path: PLUGIN_API, external: true };
        }
        if (target.kind === "node") return { path: spec, external: true };
        if (files.has(target.url)) return { path: target.url, namespace: NAMESPACE };
        const where = target.url !== spec ? ` (${target.url})` : "";
        const problem = new IvpmError(
          `Plugin file ${args.importer} imports '${spec}'${where}, which is not among the fetched plugin files`,
          { hint: "the plugin does not publish that file; fix the import or the plugin's published files" },
        );
        problems.push(problem);
        return { errors: [{ text: problem.message }] };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const loader = loaderFor(args.path);
        if (loader === undefined) {
          const problem = new IvpmError(`Plugin file ${args.path} has a file type a plugin cannot use`, {
            hint: `plugin modules end in ${Object.keys(LOADERS).join(", ")}`,
          });
          problems.push(problem);
          return { errors: [{ text: problem.message }] };
        }
        return { contents: files.get(args.path), loader };
      });
    },
  };
}

function normaliseUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

const LOADERS: Record<string, Esbuild.Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
  ".json": "json",
};

function loaderFor(url: string): Esbuild.Loader | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Keys are URLs; a plain string still gets its extension looked at.
  }
  const dot = path.lastIndexOf(".");
  return dot < 0 ? undefined : LOADERS[path.slice(dot).toLowerCase()];
}

/** Turns an esbuild failure into one line naming the file and line. */
function toIvpmError(err: unknown, entry: string): IvpmError {
  const messages = (err as Partial<Esbuild.BuildFailure>)?.errors;
  if (Array.isArray(messages) && messages.length > 0) {
    const first = messages[0];
    const loc = first.location;
    const file = loc ? loc.file.replace(`${NAMESPACE}:`, "") : entry;
    const at = loc ? `${file}:${loc.line}:${loc.column + 1}` : file;
    const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : "";
    return new IvpmError(`Cannot bundle plugin: ${at}: ${first.text}${more}`, {
      hint: "fix the plugin's source, or use a version of the plugin that builds",
      cause: err,
    });
  }
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    return new IvpmError("Bundling a plugin needs permission to run esbuild", {
      hint: "run ivpm with --allow-run (or --allow-all)",
      cause: err,
    });
  }
  return new IvpmError(`Cannot bundle plugin ${entry}: esbuild failed (${(err as Error)?.message ?? err})`, {
    cause: err,
  });
}

async function sha256Of(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `sha256-${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

let esbuildModule: Promise<EsbuildApi> | undefined;
let activeBuilds = 0;

/**
 * Runs `fn` with esbuild, and stops esbuild's service when the last concurrent
 * caller is done, so it never keeps the process alive. Concurrent calls share
 * one service; the next call after a stop starts it again.
 */
async function withEsbuild<T>(fn: (esbuild: EsbuildApi) => Promise<T>): Promise<T> {
  esbuildModule ??= loadEsbuild();
  let esbuild: EsbuildApi;
  try {
    esbuild = await esbuildModule;
  } catch (err) {
    esbuildModule = undefined;
    throw new IvpmError(`Cannot load esbuild to bundle plugins (${(err as Error)?.message ?? err})`, {
      cause: err,
    });
  }
  activeBuilds++;
  try {
    return await fn(esbuild);
  } finally {
    if (--activeBuilds === 0) await esbuild.stop();
  }
}

async function loadEsbuild(): Promise<EsbuildApi> {
  if (!Deno.build.standalone) return await import("esbuild");
  return await importWithExtractedBinary();
}

/**
 * Imports esbuild with its executable copied out of the compiled binary's
 * in-memory file system into a private temporary directory (removed at exit).
 * Exported for tests, which exercise it under `deno run`; do not call it twice.
 */
export async function importWithExtractedBinary(): Promise<EsbuildApi> {
  const previous = Deno.env.get("ESBUILD_BINARY_PATH");
  if (previous) return await import("esbuild"); // the user's own executable wins
  const require = createRequire(import.meta.url);
  const fromEsbuild = createRequire(require.resolve("esbuild"));
  const source = fromEsbuild.resolve(nativeExecutable());
  const dir = await Deno.makeTempDir({ prefix: "ivpm-esbuild-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Best effort: a temp dir left behind is harmless.
    }
  });
  const target = join(dir, basename(source));
  await Deno.writeFile(target, await Deno.readFile(source), { mode: 0o755 });
  // esbuild reads the variable once, when its module is evaluated; unset it again at once
  // so tools ivpm runs later (an npm build using its own esbuild) do not inherit it.
  Deno.env.set("ESBUILD_BINARY_PATH", target);
  try {
    return await import("esbuild");
  } finally {
    Deno.env.delete("ESBUILD_BINARY_PATH");
  }
}

/** `@esbuild/<platform>-<arch>/<path>` of the executable for this machine, as esbuild names it. */
function nativeExecutable(): string {
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
  return os === "win32" ? `@esbuild/${os}-${arch}/esbuild.exe` : `@esbuild/${os}-${arch}/bin/esbuild`;
}
