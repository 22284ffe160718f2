/**
 * A dedicated worker that runs a plugin's root callbacks, one call at a time,
 * in DAG order, with no more than the plugin's grant.
 *
 * @module
 */

import { IvpmError } from "../errors.ts";
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
  /** A single call taking longer fails (default 30 min: root work such as installs is long). */
  timeoutMs?: number;
}

/** Runs root-phase calls in one worker. */
export class RootWorker {
  #worker: Worker;
  #ready: Promise<void>;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 1;
  #dead?: IvpmError;

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
    this.#ready.catch(() => {});
    this.#worker.onmessage = (e: MessageEvent<WorkerOut>) => {
      const m = e.data;
      if (m.type === "ready") ok();
      else if (m.type === "init-error") {
        this.#dead = new IvpmError(`loading plugin code failed: ${m.message}`);
        fail(this.#dead);
      } else if (m.type === "event") opts.onEvent?.(m.event);
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
  }

  /** Calls `method` of `handler` in the worker. */
  async call(handler: string, method: CallMessage["method"], arg?: unknown): Promise<unknown> {
    await this.#ready;
    if (this.#dead) throw this.#dead;
    const id = this.#next++;
    const msg: CallMessage = { type: "call", id, handler, method, arg };
    const ms = this.opts.timeoutMs ?? 30 * 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#worker.postMessage(msg);
        timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(
            new IvpmError(`handler '${handler}' did not finish ${method} within ${Math.round(ms / 1000)} s`),
          );
        }, ms);
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
