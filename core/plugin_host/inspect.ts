/**
 * Reads a plugin bundle's metadata in a sandboxed worker.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import type { PluginMeta } from "./meta.ts";

const CORE_DIR = dirname(dirname(fromFileUrl(import.meta.url)));

/** Imports `moduleUrl` in a worker that may read nothing but ivpm's API, and lists what it exports. */
export function inspectPlugin(moduleUrl: string, origin: string, timeoutMs = 30_000): Promise<PluginMeta> {
  const worker = new Worker(new URL("./inspect_worker.ts", import.meta.url), {
    type: "module",
    deno: {
      permissions: {
        read: [CORE_DIR],
        write: false,
        net: false,
        run: false,
        env: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  } as WorkerOptions);
  return new Promise<PluginMeta>((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new IvpmError(`plugin ${origin} did not finish loading within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    worker.onmessage = (e: MessageEvent) => {
      clearTimeout(timer);
      worker.terminate();
      const r = e.data as { ok: boolean; meta?: PluginMeta; message?: string; shape?: boolean };
      if (r.ok) resolve(r.meta!);
      else if (r.shape) {
        reject(
          new IvpmError(`plugin ${origin} exports an invalid ${r.message}`, {
            hint:
              "a source type's keys are schemas built with `s` from @ivpm/plugin (see docs/writing-plugins.md)",
          }),
        );
      } else {
        reject(
          new IvpmError(`plugin ${origin} failed to load: ${r.message}`, {
            hint:
              "a plugin's top-level code may only import @ivpm/plugin and must not touch files or the network",
          }),
        );
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      clearTimeout(timer);
      worker.terminate();
      reject(new IvpmError(`plugin ${origin} failed to load: ${e.message}`));
    };
    worker.postMessage({ url: moduleUrl, origin });
  });
}
