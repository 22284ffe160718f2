/**
 * A dedicated worker that runs a plugin's root callbacks, one call at a time,
 * in DAG order, with no more than the plugin's grant.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import { DEFAULT_ROOT_TIMEOUT_MS, HandlerTimeoutError } from "./timeouts.ts";

/** The API names of the calls, for messages. */
const CALLBACK_NAMES: Partial<Record<CallMessage["method"], string>> = {
  preLoad: "onRootPreLoad",
  postLoad: "onRootPostLoad",
  destroy: "onDestroy",
  lockEntries: "getLockEntries",
  stateEntries: "getStateEntries",
  rootWhen: "its rootWhen conditions",
};
import type { HandlerEvent } from "../plugin_api/events.ts";
import type { CallMessage, InitMessage, WorkerOut } from "./worker_protocol.ts";

/** Options of {@link RootWorker}. */
export interface RootWorkerOptions {
  entry: URL;
  permissions?: Deno.PermissionOptionsObject;
  init: InitMessage;
  onEvent?: (e: HandlerEvent) => void;
  /** Warnings and notes handlers report (`info.warn` / `info.note`). */
  onDiag?: (d: { severity: "warning" | "note"; handler: string; message: string }) => void;
  /** A single call taking longer stops the worker and fails (default 30 min: installs are long). */
  timeoutMs?: number;
  /** Aborting (Ctrl-C, SIGTERM) stops the worker at once, even inside a callback that never returns. */
  signal?: AbortSignal;
  /** Who runs here, for messages (the plugin spec). */
  label?: string;
}

/** Runs root-phase calls in one worker. */
export class RootWorker {
  #worker: Worker;
  #ready: Promise<void>;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 1;
  #dead?: IvpmError;
  #failReady!: (e: unknown) => void;

  constructor(readonly opts: RootWorkerOptions) {
    this.#worker = new Worker(opts.entry, {
      type: "module",
      ...(opts.permissions ? { deno: { permissions: opts.permissions } } : {}),
    } as WorkerOptions);
    let ok!: () => void, fail!: (e: unknown) => void;
    this.#ready = new Promise<void>((res, rej) => {
      ok = res;
      fail = rej;
    });
    this.#failReady = fail;
    this.#ready.catch(() => {});
    this.#worker.onmessage = (e: MessageEvent<WorkerOut>) => {
      const m = e.data;
      if (m.type === "ready") ok();
      else if (m.type === "init-error") {
        this.#dead = new IvpmError(`loading plugin code failed: ${m.message}`);
        fail(this.#dead);
      } else if (m.type === "crash") this.#stop(new IvpmError(`plugin worker crashed: ${m.message}`));
      else if (m.type === "event") opts.onEvent?.(m.event);
      else if (m.type === "diag") opts.onDiag?.(m);
      else if (m.type === "reply") {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        if (m.error) {
          const err = new Error(m.error.message);
          err.name = m.error.name;
          p.reject(err);
        } else p.resolve(m.value);
      }
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#dead = new IvpmError(`plugin worker crashed: ${e.message}`);
      fail(this.#dead);
      for (const p of this.#pending.values()) p.reject(this.#dead);
      this.#pending.clear();
    };
    this.#worker.postMessage(opts.init);
    opts.signal?.addEventListener("abort", () => this.#stop(opts.signal!.reason), { once: true });
  }

  /** Terminates the worker and fails whatever was waiting on it with `reason`. */
  #stop(reason: unknown): void {
    this.#dead = reason instanceof IvpmError ? reason : new IvpmError(String(reason));
    this.#worker.terminate();
    this.#failReady(this.#dead);
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
  }

  /** Calls `method` of `handler` in the worker (the time limit covers loading the plugin too). */
  async call(
    handler: string,
    method: CallMessage["method"],
    arg?: unknown,
    roots?: Record<string, string>,
  ): Promise<unknown> {
    const ms = this.opts.timeoutMs ?? DEFAULT_ROOT_TIMEOUT_MS;
    // A callback that never returns keeps its worker busy forever: stop the worker itself.
    const timer = setTimeout(
      () =>
        this.#stop(new HandlerTimeoutError(handler, CALLBACK_NAMES[method] ?? method, ms, this.opts.label)),
      ms,
    );
    try {
      await this.#ready;
      if (this.#dead) throw this.#dead;
      this.opts.signal?.throwIfAborted();
      const id = this.#next++;
      const msg: CallMessage = { type: "call", id, handler, method, arg, ...(roots ? { roots } : {}) };
      return await new Promise((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#worker.postMessage(msg);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Terminates the worker. */
  close(): void {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new IvpmError("plugin worker closed"));
    this.#pending.clear();
  }
}
