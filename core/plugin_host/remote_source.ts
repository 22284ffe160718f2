/**
 * A source type provided by a plugin (a new `src:`, e.g. a company artifact
 * store). Its fetch runs in a worker with the plugin's grant plus read/write
 * access to its own work directory — never on the main thread.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import type { PluginGrant } from "../engine/registry.ts";
import { grantPermissions } from "../engine/permissions.ts";
import type { FetchContext, FetchOutcome, Source } from "../fetch/sources/types.ts";
import type { DependencySpec } from "../config/model.ts";
import { keysOf, type PluginMeta } from "./meta.ts";

const CORE_DIR = dirname(dirname(fromFileUrl(import.meta.url)));

/** Wraps a plugin's source metadata into a {@link Source} whose fetch runs sandboxed. */
export function remoteSource(
  info: PluginMeta["sources"][number],
  at: { origin: string; moduleUrl: string; grant: PluginGrant },
): Source {
  return {
    name: info.name,
    description: info.description,
    keys: keysOf(info.keys),
    required: info.required,
    origin: at.origin,
    reproducible: true,
    // Generic spec: everything the dependency asks for (a change means re-fetch).
    spec: (dep: DependencySpec) => ({ url: dep.url ?? null, ...dep.options }),
    fetch: (dep, ctx) => fetchInWorker(info.exportName, at, dep, ctx),
  };
}

async function fetchInWorker(
  exportName: string,
  at: { origin: string; moduleUrl: string; grant: PluginGrant },
  dep: DependencySpec,
  ctx: FetchContext,
): Promise<FetchOutcome> {
  const g = at.grant;
  const worker = new Worker(new URL("./source_worker.ts", import.meta.url), {
    type: "module",
    deno: {
      permissions: grantPermissions(g, {
        read: [CORE_DIR, ctx.projectDir, ctx.depsDir],
        write: [ctx.workDir],
      }),
    },
  } as WorkerOptions);
  const onAbort = () => worker.terminate();
  ctx.signal.addEventListener("abort", onAbort);
  try {
    return await new Promise<FetchOutcome>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data as { note?: string; ok?: boolean; outcome?: FetchOutcome; message?: string };
        if (m.note) return ctx.note(m.note);
        if (m.ok) resolve(m.outcome!);
        else reject(new IvpmError(`package '${dep.name}' (src: ${dep.src}, ${at.origin}): ${m.message}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new IvpmError(`package '${dep.name}' (src: ${dep.src}, ${at.origin}): ${e.message}`));
      };
      worker.postMessage({ url: at.moduleUrl, exportName, dep, ctx: workerContext(ctx, g) });
    });
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    worker.terminate();
  }
}

/**
 * What the worker's fetch context holds: only these fields (an allow-list, so a field added to the host's
 * context later does not reach plugin code unasked), and of the environment only the variables the grant's
 * `allow-env` names. Functions and host objects stay on this side (a worker message cannot carry them).
 */
function workerContext(ctx: FetchContext, grant: PluginGrant): Record<string, unknown> {
  const names = grant.env ?? [];
  const value = (n: string) => ctx.env ? ctx.env[n] : Deno.env.get(n);
  const env = Object.fromEntries(names.flatMap((n) => value(n) === undefined ? [] : [[n, value(n)!]]));
  return {
    projectDir: ctx.projectDir,
    depsDir: ctx.depsDir,
    finalPath: ctx.finalPath,
    workDir: ctx.workDir,
    anonymousGit: ctx.anonymousGit,
    previous: ctx.previous,
    refresh: ctx.refresh,
    force: ctx.force,
    gitAuthOrder: ctx.gitAuthOrder,
    env,
  };
}
