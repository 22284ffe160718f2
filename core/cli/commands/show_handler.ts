/**
 * `ivpm show handler [NAME] [--order] [--json]` — registered handlers, one
 * handler's metadata, or the resolved root-phase order with the reason for each edge.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { activeHandlerRegistry } from "../../plugin_host/active.ts";
import { computeOrder } from "../../engine/order.ts";
import type { HandlerRegistry } from "../../engine/registry.ts";
import { closestMatch } from "../../util/suggest.ts";
import { out } from "../../ui/log.ts";

/** Flags of `ivpm show handler`. */
export interface ShowHandlerFlags {
  order?: boolean;
  json?: boolean;
}

/** `ivpm show handler`. */
export function showHandler(
  name: string | undefined,
  o: ShowHandlerFlags,
  registry: HandlerRegistry = activeHandlerRegistry(),
): void {
  const list = registry.list();
  if (o.order) {
    const r = computeOrder(list.map((h) => h.meta));
    if (o.json) return out(JSON.stringify(r, null, 2));
    if (!r.order.length) return out("No handlers installed");
    r.order.forEach((n, i) => {
      const h = registry.get(n)!;
      out(`${String(i + 1).padStart(2)}. ${n.padEnd(18)} phase=${h.meta.phase}`);
      for (const e of r.edges.filter((e) => e.to === n)) {
        out(`      after ${e.from.padEnd(14)} (${e.reason})`);
      }
    });
    for (const w of r.warnings) out(`warning: ${w}`);
    return;
  }
  if (name) {
    const h = registry.get(name);
    if (!h) {
      const m = closestMatch(name, list.map((x) => x.meta.name));
      throw new IvpmError(`unknown handler '${name}'${m ? `; did you mean '${m}'?` : ""}`, {
        hint: `installed: ${list.map((x) => x.meta.name).join(", ") || "none"}`,
      });
    }
    if (o.json) return out(JSON.stringify(h.meta, null, 2));
    const m = h.meta;
    out(`Handler: ${m.name}`);
    out(`Description: ${m.description || "(none)"}`);
    out(`Origin: ${m.origin}`);
    out(`Phase: ${m.phase}`);
    out(`Run after: ${m.runAfter.join(", ") || "-"}`);
    out(`Run before: ${m.runBefore.join(", ") || "-"}`);
    out(
      `Leaf: ${
        m.leaf.pre || m.leaf.post
          ? (m.leafWhen ? m.leafWhen.join(" and ") || "never" : "every package")
          : "no"
      }`,
    );
    out(`Root: ${m.rootWhen ? m.rootWhen.join(" and ") || "never" : "always"}`);
    const opts = Object.keys((m.options?.properties as Record<string, unknown>) ?? {});
    out(`Options (with.${m.name}): ${opts.join(", ") || "(none)"}`);
    out(`CLI options: ${m.cliOptions.map((c) => `${c.command} ${c.flags}`).join(", ") || "(none)"}`);
    return;
  }
  if (o.json) return out(JSON.stringify(list.map((h) => h.meta), null, 2));
  if (!list.length) return out("No handlers installed");
  for (const h of list) {
    out(`${h.meta.name.padEnd(18)} phase=${h.meta.phase.padEnd(12)} ${h.meta.description}`);
  }
}
