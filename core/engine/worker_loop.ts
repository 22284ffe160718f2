/**
 * The loop every leaf worker runs: load handlers once, then run leaf callbacks
 * package by package (one at a time per worker, so records never mix).
 *
 * @module
 */

import { evaluateConditions } from "../plugin_api/conditions.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import { type HandlerClass, HandlerFatalError, PackageHandler } from "../plugin_api/handler.ts";
import { setPackagesDir, vouchForRoots } from "./plugin_realm.ts";
import type { CallMessage, InitMessage, LeafMessage, LeafResult, WorkerOut } from "./worker_protocol.ts";

interface WorkerScope {
  postMessage(m: WorkerOut): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

function message(e: unknown): string {
  if (e instanceof Error) return `${e.name === "Error" ? "" : e.name + ": "}${e.message}`;
  return String(e);
}

/** Starts the loop; `builtins` are the handler classes linked into this worker. */
export function startWorkerLoop(builtins: HandlerClass[]): void {
  const scope = self as unknown as WorkerScope;
  const instances = new Map<string, PackageHandler>();
  let init: InitMessage | undefined;
  // Bound now: plugin code loaded later may replace `self.postMessage`, not what ivpm sends with. (What a
  // plugin posts itself reaches the host too, which files records only under this worker's handlers.)
  const postMessage = scope.postMessage.bind(scope);
  const post = (m: WorkerOut) => postMessage(m);

  const load = async (m: InitMessage) => {
    // Once: plugin code can call `self.onmessage` itself, and must not re-initialise the guard with it.
    if (init) throw new Error("the worker is initialised once");
    init = m;
    setPackagesDir({
      projectDir: m.projectDir,
      depsDir: m.depsDir,
      outputDirs: Object.values(m.outputDirs ?? {}),
      grantWrite: m.grantWrite,
    });
    for (const cls of builtins) if (m.builtins.includes(cls.name)) instances.set(cls.name, new cls());
    for (const mod of m.modules) {
      const ns = await import(mod.url);
      const cls = ns[mod.exportName] as HandlerClass | undefined;
      if (typeof cls !== "function" || !(cls.prototype instanceof PackageHandler)) {
        throw new Error(`${mod.url} does not export a PackageHandler named '${mod.exportName}'`);
      }
      instances.set(mod.handler, new cls());
    }
  };

  const run = async (m: LeafMessage): Promise<LeafResult> => {
    const pkg = m.pkg;
    vouchForRoots(m.roots);
    const result: LeafResult = {
      type: "result",
      id: m.id,
      typeData: pkg.typeData,
      records: [],
      warnings: [],
    };
    for (const name of m.handlers) {
      const inst = instances.get(name);
      if (!inst) continue;
      const cls = inst.constructor as HandlerClass;
      try {
        if (!(await evaluateConditions(cls.leafWhen, pkg))) continue;
        const info = {
          projectDir: init!.projectDir,
          depsDir: init!.depsDir,
          site: init!.site,
          env: init!.envs?.[name],
          outputDir: init!.outputDirs?.[name] ?? "",
          config: init!.configs[name] ?? {},
          args: init!.args[name] ?? {},
          emit: (event: HandlerEvent) => post({ type: "event", event: { ...event, packageName: pkg.name } }),
          warn: (message: string) =>
            post({ type: "diag", severity: "warning", handler: name, message: `${pkg.name}: ${message}` }),
          note: (message: string) =>
            post({ type: "diag", severity: "note", handler: name, message: `${pkg.name}: ${message}` }),
        };
        if (m.phase === "pre") await inst.onLeafPreLoad(pkg, info);
        else await inst.onLeafPostLoad(pkg, info);
        const records = inst.drainCollected();
        if (records.length) {
          try {
            structuredClone(records);
            result.records.push({ handler: name, records });
          } catch {
            result.warnings.push({
              handler: name,
              message: "collected a record that cannot be sent (plain data only)",
            });
          }
        }
      } catch (e) {
        inst.drainCollected();
        if (e instanceof HandlerFatalError || (e as Error)?.name === "HandlerFatalError") {
          result.fatal = { handler: name, message: (e as Error).message };
          break;
        }
        result.warnings.push({ handler: name, message: message(e) });
      }
    }
    result.pkgType = pkg.pkgType;
    result.typeData = pkg.typeData;
    return result;
  };

  const call = async (m: CallMessage): Promise<unknown> => {
    const inst = instances.get(m.handler);
    if (!inst) throw new Error(`handler '${m.handler}' is not loaded in this worker`);
    const cls = inst.constructor as HandlerClass;
    const withEmit = <T extends object>(info: T) => ({
      ...info,
      emit: (event: HandlerEvent) => post({ type: "event", event: { ...event, handler: m.handler } }),
      warn: (message: string) => post({ type: "diag", severity: "warning", handler: m.handler, message }),
      note: (message: string) => post({ type: "diag", severity: "note", handler: m.handler, message }),
    });
    switch (m.method) {
      case "preLoad":
        return await inst.onRootPreLoad(withEmit(m.arg as Parameters<PackageHandler["onRootPreLoad"]>[0]));
      case "rootWhen":
        return await evaluateConditions(cls.rootWhen, m.arg as Parameters<typeof evaluateConditions>[1]);
      case "postLoad": {
        const info = m.arg as Parameters<PackageHandler["onRootPostLoad"]>[0];
        vouchForRoots(m.roots);
        inst.records = info.records;
        const withEx = withEmit(info);
        await inst.onRootPostLoad(withEx);
        // Keys a plugin adds to the exchange reach later handlers on the main thread.
        return { exchange: withEx.exchange ?? {} };
      }
      case "lockEntries":
        return await inst.getLockEntries(m.arg as string);
      case "stateEntries":
        return await inst.getStateEntries();
      case "destroy":
        return await inst.onDestroy(withEmit(m.arg as Parameters<PackageHandler["onDestroy"]>[0]));
      case "build":
        return await inst.build(withEmit(m.arg as Parameters<PackageHandler["build"]>[0]));
    }
  };

  // An error thrown outside any callback (a timer, a forgotten promise) ends this worker: say so to the
  // host instead of letting the runtime print it as an uncaught error.
  const crashed = (message: string) => post({ type: "crash", message });
  self.addEventListener("error", (e) => {
    e.preventDefault();
    crashed((e as ErrorEvent).message.replace(/^Uncaught /, ""));
  });
  self.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    crashed(message((e as PromiseRejectionEvent).reason));
  });

  scope.onmessage = async (e: MessageEvent) => {
    const m = e.data as InitMessage | LeafMessage | CallMessage;
    if (m.type === "call") {
      try {
        const value = await call(m);
        post({ type: "reply", id: m.id, value: value === undefined ? undefined : structuredClone(value) });
      } catch (err) {
        post({
          type: "reply",
          id: m.id,
          error: { name: (err as Error)?.name ?? "Error", message: message(err) },
        });
      }
      return;
    }
    if (m.type === "init") {
      try {
        await load(m);
        post({ type: "ready" });
      } catch (err) {
        post({ type: "init-error", message: message(err) });
      }
    } else if (m.type === "leaf") {
      post(await run(m));
    }
  };
}
