/**
 * A pool of leaf workers: started lazily, reused across packages, one package
 * per worker at a time. A worker that crashes or hangs is terminated and
 * replaced; only the package it was working on is affected.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import type { InitMessage, LeafMessage, LeafResult, WorkerOut } from "./worker_protocol.ts";
import { DEFAULT_LEAF_TIMEOUT_MS, HandlerTimeoutError } from "./timeouts.ts";

/** How to start the pool's workers. */
export interface LeafPoolOptions {
  /** Worker entry module. */
  entry: URL;
  /** Deno permissions of each worker; undefined = inherit the process's (trusted built-ins). */
  permissions?: Deno.PermissionOptionsObject;
  size: number;
  init: InitMessage;
  /** A package whose leaf callbacks take longer fails with {@link HandlerTimeoutError} (default 10 min). */
  timeoutMs?: number;
  /** Aborting terminates every worker at once (a callback that never returns cannot delay Ctrl-C). */
  signal?: AbortSignal;
  /** Who runs here, for messages (the plugin spec). */
  label?: string;
  onEvent?: (e: HandlerEvent) => void;
  /** Warnings and notes handlers report (`info.warn` / `info.note`). */
  onDiag?: (d: { severity: "warning" | "note"; handler: string; message: string }) => void;
}

interface Job {
  msg: LeafMessage;
  resolve: (r: PoolResult) => void;
  reject: (e: unknown) => void;
  /** Warnings and notes the job's handlers reported. */
  diags: number;
  /** When it was queued (performance.now()). */
  queuedAt: number;
}

/** A worker's result, with how many warnings and notes its handlers reported meanwhile. */
export type PoolResult = LeafResult & { diags: number };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job?: Job;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Queued jobs per worker before the pool starts another: leaf callbacks are usually short (one worker keeps
 * up with packages landing from the network), and each worker costs start-up time and ~15 MB.
 */
const BACKLOG_PER_WORKER = 2;
/** A job waiting this long starts another worker anyway (a slow or hung callback must not hold up the rest). */
const MAX_WAIT_MS = 200;

/** A leaf worker that failed while handling one package (crash, hang, load error). */
export class LeafWorkerError extends IvpmError {}

/** Runs leaf messages on a bounded set of workers. */
export class LeafPool {
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #broken?: IvpmError;
  #closed = false;
  /** Workers started over the pool's life (replacements included). */
  started = 0;

  constructor(readonly opts: LeafPoolOptions) {
    opts.signal?.addEventListener("abort", () => this.close(opts.signal!.reason), { once: true });
  }

  /** Runs one leaf message. */
  run(msg: LeafMessage): Promise<PoolResult> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#closed) return Promise.reject(this.opts.signal?.reason ?? new IvpmError("leaf pool closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ msg, resolve, reject, diags: 0, queuedAt: performance.now() });
      this.#dispatch();
    });
  }

  #spawn(): Slot {
    this.started++;
    const worker = new Worker(this.opts.entry, {
      type: "module",
      ...(this.opts.permissions ? { deno: { permissions: this.opts.permissions } } : {}),
    } as WorkerOptions);
    let readyResolve!: () => void, readyReject!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => {});
    const slot: Slot = { worker, ready };
    worker.onmessage = (e: MessageEvent<WorkerOut>) => {
      const m = e.data;
      if (m.type === "ready") readyResolve();
      else if (m.type === "init-error") {
        const err = new IvpmError(`loading handlers in a leaf worker failed: ${m.message}`);
        this.#broken = err;
        readyReject(err);
        this.#fail(slot, err);
      } else if (m.type === "crash") {
        this.#fail(slot, new LeafWorkerError(`leaf worker crashed: ${m.message}`));
      } else if (m.type === "event") this.opts.onEvent?.(m.event);
      else if (m.type === "diag") {
        if (slot.job) slot.job.diags++;
        this.opts.onDiag?.(m);
      } else if (m.type === "result") {
        const job = slot.job;
        if (!job || job.msg.id !== m.id) return;
        clearTimeout(slot.timer);
        slot.job = undefined;
        job.resolve({ ...m, diags: job.diags });
        this.#dispatch();
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(slot, new LeafWorkerError(`leaf worker crashed: ${e.message}`));
    };
    worker.postMessage(this.opts.init);
    this.#slots.push(slot);
    return slot;
  }

  #fail(slot: Slot, err: IvpmError): void {
    clearTimeout(slot.timer);
    slot.worker.terminate();
    this.#slots = this.#slots.filter((s) => s !== slot);
    const job = slot.job;
    slot.job = undefined;
    job?.reject(err);
    if (this.#broken) {
      for (const j of this.#queue.splice(0)) j.reject(this.#broken);
      return;
    }
    this.#dispatch();
  }

  #dispatch(): void {
    if (this.#closed) return;
    while (this.#queue.length) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot) {
        if (this.#slots.length >= Math.max(1, this.opts.size)) return;
        // Grow only when work backs up or has waited too long; a job waits for the next free worker meanwhile.
        const waited = performance.now() - this.#queue[0].queuedAt;
        if (this.#queue.length <= this.#slots.length * BACKLOG_PER_WORKER && waited < MAX_WAIT_MS) {
          this.#recheckLater(MAX_WAIT_MS - waited);
          return;
        }
        slot = this.#spawn();
      }
      const job = this.#queue.shift()!;
      slot.job = job;
      const s = slot;
      s.ready.then(() => {
        if (s.job !== job) return;
        s.worker.postMessage(job.msg);
        const ms = this.opts.timeoutMs ?? DEFAULT_LEAF_TIMEOUT_MS;
        s.timer = setTimeout(() => {
          const callback = job.msg.phase === "pre" ? "onLeafPreLoad" : "onLeafPostLoad";
          this.#fail(
            s,
            new HandlerTimeoutError(
              job.msg.handlers.join("', '"),
              `${callback} on package '${job.msg.pkg.name}'`,
              ms,
              this.opts.label,
            ),
          );
        }, ms);
      }, () => {});
    }
  }

  #recheck?: ReturnType<typeof setTimeout>;

  #recheckLater(ms: number): void {
    if (this.#recheck !== undefined) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      this.#dispatch();
    }, Math.max(1, ms));
  }

  /** Starts up to `count` workers now (their start-up then overlaps with other work); default: all. */
  warm(count: number = this.opts.size): void {
    const want = Math.min(Math.max(1, this.opts.size), Math.max(1, count));
    while (!this.#closed && !this.#broken && this.#slots.length < want) this.#spawn();
  }

  /** Terminates every worker; queued and running jobs fail with `reason`. */
  close(reason: unknown = new IvpmError("leaf pool closed")): void {
    this.#closed = true;
    clearTimeout(this.#recheck);
    for (const s of this.#slots) {
      clearTimeout(s.timer);
      s.worker.terminate();
    }
    for (const s of this.#slots) s.job?.reject(reason);
    this.#slots = [];
    for (const j of this.#queue.splice(0)) j.reject(reason);
  }
}
