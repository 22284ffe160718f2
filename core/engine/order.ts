/**
 * The root-phase order: a declarative DAG computed before any handler runs.
 * Phases are barriers; `runAfter` / `runBefore` add edges (to handlers or to
 * whole phases); ties are broken by name, never by load order; a target that is
 * not installed is ignored with a warning; a cycle aborts with the cycle printed.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import { type HandlerPhaseName, PHASE_ORDER } from "../plugin_api/phase.ts";

/** What ordering needs to know of a handler. */
export interface OrderInput {
  name: string;
  phase: HandlerPhaseName;
  runAfter: readonly string[];
  runBefore: readonly string[];
}

/** One ordering edge: `from` runs before `to`. */
export interface OrderEdge {
  from: string;
  to: string;
  reason: string;
}

/** The resolved order. */
export interface HandlerOrder {
  order: string[];
  /** Explicit edges (phase barriers are implied by `phase`). */
  edges: OrderEdge[];
  warnings: string[];
}

/** A cycle in the ordering constraints. */
export class HandlerOrderError extends IvpmError {
  constructor(readonly cycle: string[], readonly reasons: string[]) {
    super(`handler ordering constraints form a cycle: ${cycle.join(" -> ")}`, {
      hint: `constraints involved: ${reasons.join("; ")}. Remove one runAfter/runBefore or change a phase`,
    });
  }
}

/** Computes the root-phase order of `handlers`. Throws {@link HandlerOrderError} on a cycle. */
export function computeOrder(handlers: OrderInput[]): HandlerOrder {
  const names = new Set(handlers.map((h) => h.name));
  const phaseOf = new Map(handlers.map((h) => [h.name, PHASE_ORDER.indexOf(h.phase)]));
  const edges: OrderEdge[] = [];
  const warnings: string[] = [];
  const add = (from: string, to: string, reason: string) => {
    if (from !== to && !edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, reason });
  };
  const targets = (t: string, owner: string, key: string): string[] | undefined => {
    if (t.startsWith("phase:")) {
      const p = t.slice(6).toLowerCase() as HandlerPhaseName;
      if (!PHASE_ORDER.includes(p)) {
        warnings.push(
          `handler '${owner}': ${key} '${t}' names no phase (phases: ${PHASE_ORDER.join(", ")}); ignored`,
        );
        return undefined;
      }
      return handlers.filter((h) => h.phase === p && h.name !== owner).map((h) => h.name);
    }
    if (!names.has(t)) {
      warnings.push(`handler '${owner}': ${key} '${t}' is not installed; constraint ignored`);
      return undefined;
    }
    return [t];
  };
  for (const h of handlers) {
    for (const t of h.runAfter) {
      for (const x of targets(t, h.name, "runAfter") ?? []) add(x, h.name, `${h.name}.runAfter ${t}`);
    }
    for (const t of h.runBefore) {
      for (const x of targets(t, h.name, "runBefore") ?? []) add(h.name, x, `${h.name}.runBefore ${t}`);
    }
  }
  // Phase barriers as edges between consecutive phases' members keep the DAG honest: an explicit
  // edge against the phase order then shows up as a cycle.
  const all: OrderEdge[] = [...edges];
  for (const a of handlers) {
    for (const b of handlers) {
      if (phaseOf.get(a.name)! < phaseOf.get(b.name)!) {
        all.push({ from: a.name, to: b.name, reason: `phase ${a.phase} before ${b.phase}` });
      }
    }
  }
  const indeg = new Map(handlers.map((h) => [h.name, 0]));
  const out = new Map<string, OrderEdge[]>(handlers.map((h) => [h.name, []]));
  for (const e of all) {
    out.get(e.from)!.push(e);
    indeg.set(e.to, indeg.get(e.to)! + 1);
  }
  const key = (n: string) => [phaseOf.get(n)!, n] as const;
  const ready = handlers.map((h) => h.name).filter((n) => indeg.get(n) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => key(a)[0] - key(b)[0] || (a < b ? -1 : a > b ? 1 : 0));
    const n = ready.shift()!;
    order.push(n);
    for (const e of out.get(n)!) {
      indeg.set(e.to, indeg.get(e.to)! - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  if (order.length < handlers.length) {
    const left = new Set(handlers.map((h) => h.name).filter((n) => !order.includes(n)));
    const cycle = findCycle(left, all);
    const reasons = cycle.slice(1).map((to, i) =>
      all.find((e) => e.from === cycle[i] && e.to === to)?.reason ?? `${cycle[i]} -> ${to}`
    );
    throw new HandlerOrderError(cycle, [...new Set(reasons)]);
  }
  return { order, edges, warnings };
}

function findCycle(nodes: Set<string>, edges: OrderEdge[]): string[] {
  const next = (n: string) => edges.filter((e) => e.from === n && nodes.has(e.to)).map((e) => e.to).sort();
  const state = new Map<string, number>();
  const stack: string[] = [];
  let found: string[] | undefined;
  const visit = (n: string) => {
    if (found) return;
    state.set(n, 1);
    stack.push(n);
    for (const m of next(n)) {
      if (state.get(m) === 1) {
        found = [...stack.slice(stack.indexOf(m)), m];
        return;
      }
      if (!state.has(m)) visit(m);
      if (found) return;
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...nodes].sort()) if (!state.has(n)) visit(n);
  return found ?? [...nodes];
}
