/**
 * Handler task events and the task handle that emits them.
 *
 * @module
 */

/**
 * A progress event from a handler task, shown by the progress display. Handlers
 * do not build these: {@link TaskHandle} and {@link runTask} emit them.
 *
 * Every task emits one `task-start`, any number of `task-progress`, then exactly
 * one of `task-end` or `task-error`.
 *
 * @example
 * ```ts
 * import type { HandlerEvent } from "@ivpm/plugin";
 * const e: HandlerEvent = { type: "task-progress", taskId: "venv", handler: "python", message: "pip", step: 1, total: 3 };
 * ```
 */
export interface HandlerEvent {
  /** What happened to the task. */
  type: "task-start" | "task-progress" | "task-end" | "task-error";
  /** The task's id, chosen by the handler (unique among its open tasks). */
  taskId: string;
  /** Name of the handler that emitted it (set by ivpm). */
  handler: string;
  /** Display name of the task (on `task-start`). */
  taskName?: string;
  /** Progress text (`task-progress`) or the error message (`task-error`). */
  message?: string;
  /** Current step (`task-progress`), shown as `step/total`. */
  step?: number;
  /** Number of steps (`task-progress`). */
  total?: number;
  /** The enclosing task of a nested task. */
  parentTaskId?: string;
  /** How long the task ran (`task-end`, `task-error`). */
  durationMs?: number;
  /** The package a leaf callback's task belongs to (set by ivpm in leaf workers). */
  packageName?: string;
}

/**
 * A running task: report progress, open nested tasks, then end it (or let
 * {@link runTask} do so). All methods are safe to call with no display attached.
 *
 * @example
 * ```ts
 * import { TaskHandle } from "@ivpm/plugin";
 * const t = new TaskHandle(undefined, "h", "id", "Doing things");
 * t.progress("step one", 1, 2);
 * t.end();
 * ```
 */
export class TaskHandle {
  #emit?: (e: HandlerEvent) => void;
  #start = performance.now();
  #ended = false;

  /**
   * Starts a task (emits `task-start`). Handlers normally get one from their
   * `this.taskContext()` or from {@link TaskHandle.taskContext} instead.
   *
   * @param emit Where events go; `undefined` makes every call a no-op.
   * @param handler Name of the handler the task belongs to.
   * @param taskId Id of the task.
   * @param taskName Display name of the task.
   * @param parentTaskId Id of the enclosing task, for a nested task.
   * @param packageName Package the task belongs to, if any.
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * new TaskHandle((e) => console.log(e.type), "h", "id", "name").end();
   * ```
   */
  constructor(
    emit: ((e: HandlerEvent) => void) | undefined,
    readonly handler: string,
    readonly taskId: string,
    readonly taskName: string,
    readonly parentTaskId?: string,
    readonly packageName?: string,
  ) {
    this.#emit = emit;
    this.#send({ type: "task-start", taskName });
  }

  #send(e: Omit<HandlerEvent, "taskId" | "handler">): void {
    try {
      this.#emit?.({
        ...e,
        taskId: this.taskId,
        handler: this.handler,
        ...(this.parentTaskId ? { parentTaskId: this.parentTaskId } : {}),
        ...(this.packageName ? { packageName: this.packageName } : {}),
      });
    } catch {
      // A display problem must never break a handler.
    }
  }

  /**
   * Reports progress; with `step`/`total` the display shows `step/total`.
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * const t = new TaskHandle(undefined, "h", "id", "n");
   * t.progress("Installing", 2, 5);
   * ```
   */
  progress(message: string, step?: number, total?: number): void {
    this.#send({ type: "task-progress", message, step, total });
  }

  /**
   * Opens a nested task shown under this one.
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * const t = new TaskHandle(undefined, "h", "outer", "Outer");
   * t.taskContext("inner", "Inner").end();
   * t.end();
   * ```
   */
  taskContext(taskId: string, taskName: string): TaskHandle {
    return new TaskHandle(this.#emit, this.handler, taskId, taskName, this.taskId, this.packageName);
  }

  /**
   * Ends the task successfully (emits `task-end` with its duration). Idempotent.
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * new TaskHandle(undefined, "h", "id", "n").end();
   * ```
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#send({ type: "task-end", durationMs: performance.now() - this.#start });
  }

  /**
   * Ends the task with an error (emits `task-error`). Idempotent.
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * new TaskHandle(undefined, "h", "id", "n").fail(new Error("boom"));
   * ```
   */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#send({
      type: "task-error",
      message: error instanceof Error ? error.message : String(error),
      durationMs: performance.now() - this.#start,
    });
  }

  /**
   * Ends the task when used with `using` (an error is not visible here: prefer {@link runTask}).
   *
   * @example
   * ```ts
   * import { TaskHandle } from "@ivpm/plugin";
   * {
   *   using t = new TaskHandle(undefined, "h", "id", "n");
   *   t.progress("working");
   * }
   * ```
   */
  [Symbol.dispose](): void {
    this.end();
  }
}

/**
 * Runs `fn` as a task nested under `parent`: `task-start`, then `task-end`, or
 * `task-error` and re-throw. Returns what `fn` returns.
 *
 * @example
 * ```ts
 * import { runTask, TaskHandle } from "@ivpm/plugin";
 * const root = new TaskHandle(undefined, "h", "all", "All");
 * await runTask(root, "step", "A step", async (t) => t.progress("half way", 1, 2));
 * root.end();
 * ```
 */
export async function runTask<T>(
  parent: TaskHandle,
  taskId: string,
  taskName: string,
  fn: (task: TaskHandle) => T | Promise<T>,
): Promise<T> {
  const t = parent.taskContext(taskId, taskName);
  try {
    const r = await fn(t);
    t.end();
    return r;
  } catch (e) {
    t.fail(e);
    throw e;
  }
}
