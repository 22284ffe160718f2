import assert from "node:assert/strict";
import { computeOrder, HandlerOrderError, type OrderInput } from "../../core/engine/order.ts";
import type { HandlerPhaseName } from "../../core/plugin_api/phase.ts";
import { normalizePhase } from "../../core/plugin_api/phase.ts";

function h(
  name: string,
  phase: HandlerPhaseName,
  runAfter: string[] = [],
  runBefore: string[] = [],
): OrderInput {
  return { name, phase, runAfter, runBefore };
}

Deno.test("phases are barriers and ties are broken by name, not registration order", () => {
  const r = computeOrder([
    h("zeta", "integrate"),
    h("alpha", "finalize"),
    h("beta", "integrate"),
    h("venv", "install"),
    h("env", "environment"),
    h("prep", "prepare"),
  ]);
  assert.deepEqual(r.order, ["prep", "env", "venv", "beta", "zeta", "alpha"]);
});

Deno.test("the original's integer phases come out of the DAG in the original order", () => {
  const legacy: [string, number][] = [["fusesoc", 10], ["agents", 6], ["python", 5], ["node", 6], [
    "modules",
    1,
  ], [
    "direnv",
    0,
  ]];
  const r = computeOrder(legacy.map(([n, p]) => h(n, normalizePhase(p))));
  assert.deepEqual(r.order, ["direnv", "modules", "python", "agents", "node", "fusesoc"]);
});

Deno.test("runAfter and runBefore order handlers within a phase", () => {
  const r = computeOrder([h("a", "integrate", ["c"]), h("b", "integrate", [], ["a"]), h("c", "integrate")]);
  // b before a (runBefore), c before a (runAfter); b and c unconstrained → by name.
  assert.deepEqual(r.order, ["b", "c", "a"]);
  assert.deepEqual(r.edges.map((e) => `${e.from}>${e.to}`).sort(), ["b>a", "c>a"]);
});

Deno.test("phase targets order relative to a whole phase", () => {
  const r = computeOrder([
    h("late-prep", "prepare", ["phase:prepare"]),
    h("p1", "prepare"),
    h("p2", "prepare"),
    h("early", "integrate", [], ["phase:integrate"]),
    h("i1", "integrate"),
  ]);
  assert.deepEqual(r.order, ["p1", "p2", "late-prep", "early", "i1"]);
});

Deno.test("a constraint naming a handler that is not installed is ignored with a warning", () => {
  const r = computeOrder([h("a", "integrate", ["python"]), h("b", "integrate", [], ["phase:nowhere"])]);
  assert.deepEqual(r.order, ["a", "b"]);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0], /runAfter 'python' is not installed/);
  assert.match(r.warnings[1], /names no phase/);
});

Deno.test("a direct cycle aborts with the cycle printed", () => {
  let e: HandlerOrderError | undefined;
  try {
    computeOrder([h("a", "integrate", ["b"]), h("b", "integrate", ["a"]), h("c", "integrate")]);
  } catch (x) {
    e = x as HandlerOrderError;
  }
  assert.ok(e instanceof HandlerOrderError);
  assert.deepEqual(e.cycle, ["a", "b", "a"]);
  assert.match(e.message, /cycle: a -> b -> a/);
});

Deno.test("a constraint contradicting the phase order is a cycle", () => {
  let err: HandlerOrderError | undefined;
  try {
    computeOrder([h("setup", "install", ["report"]), h("report", "finalize")]);
  } catch (e) {
    err = e as HandlerOrderError;
  }
  assert.ok(err instanceof HandlerOrderError);
  assert.deepEqual(err.cycle, ["report", "setup", "report"]);
  assert.match(err.hint ?? "", /phase install before finalize/);
});

Deno.test("a three-handler cycle across runAfter and runBefore is found", () => {
  assert.throws(
    () =>
      computeOrder([
        h("a", "integrate", [], ["b"]),
        h("b", "integrate", [], ["c"]),
        h("c", "integrate", [], ["a"]),
      ]),
    /a -> b -> c -> a/,
  );
});
