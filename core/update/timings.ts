/**
 * Where an update's time went (`ivpm update --timings`): consecutive phases, each
 * ended by a mark, plus counters the phases explain themselves with.
 *
 * @module
 */

/** One finished phase. */
export interface Phase {
  name: string;
  ms: number;
  /** Short explanation printed beside the time (counts). */
  detail?: string;
}

/** Records consecutive phases of one run. */
export class UpdateTimings {
  readonly phases: Phase[] = [];
  /** Leaf work of the run: packages whose leaf callbacks ran, and those whose cached results were reused. */
  leafRan = 0;
  leafReused = 0;
  /** Leaf workers started (none when every package's results were reused). */
  leafWorkers = 0;
  /** Whether the project's own ivpm.yaml came from the project state (not parsed). */
  rootConfigReused = false;
  /** Sub-package ivpm.yaml files parsed, and parses saved by the project state. */
  configsParsed = 0;
  configsReused = 0;
  #last: number;

  /** `start`: when the first phase began (default: now). */
  constructor(start: number = performance.now()) {
    this.#last = start;
  }

  /** Ends the current phase, naming it; the next phase starts now. */
  mark(name: string, detail?: string): void {
    const now = performance.now();
    this.phases.push({ name, ms: now - this.#last, ...(detail ? { detail } : {}) });
    this.#last = now;
  }

  /** The report: one line per phase and the total, times in whole milliseconds. */
  lines(): string[] {
    const width = Math.max(5, ...this.phases.map((p) => p.name.length));
    const total = this.phases.reduce((s, p) => s + p.ms, 0);
    const row = (name: string, ms: number, detail?: string) =>
      `  ${name.padEnd(width)} ${ms.toFixed(0).padStart(7)} ms${detail ? `  (${detail})` : ""}`;
    return [
      "Timings:",
      ...this.phases.map((p) => row(p.name, p.ms, p.detail)),
      row("total", total),
    ];
  }
}
