/**
 * `ivpm show` — registry introspection and the ivpm.yaml JSON Schema.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { ivpmJsonSchema } from "../../config/ivpm_schema.ts";
import { schemaInputs } from "../../plugin_host/registries.ts";
import { type Schema, toJsonSchema } from "../../config/schema.ts";
import { closestMatch } from "../../util/suggest.ts";
import { out, outRaw } from "../../ui/log.ts";

/** Prints the ivpm.yaml JSON Schema, formatted as written to docs/ivpm.schema.json. */
export function schemaText(): string {
  return JSON.stringify(ivpmJsonSchema(schemaInputs()), null, 2) + "\n";
}

function params(keys: Record<string, Schema>): { name: string; schema: unknown; description?: string }[] {
  return Object.entries(keys).map(([name, sch]) => ({
    name,
    description: sch.description,
    schema: toJsonSchema(sch),
  }));
}

function sourceRows() {
  return schemaInputs().sources.map((s) => ({
    name: s.name,
    description: s.description,
    origin: s.origin,
    virtual: !!s.virtual,
    required: [...(s.required ?? [])],
    params: params(s.keys),
  }));
}

function typeRows() {
  return schemaInputs().types.map((t) => ({
    name: t.name,
    description: t.description,
    origin: "built-in",
    params: params(t.options.properties),
  }));
}

function handlerRows() {
  return Object.entries(schemaInputs().handlers).map(([name, o]) => ({
    name,
    origin: "built-in",
    options: params(o.properties),
  }));
}

/** `ivpm show [--schema] [--json]`. */
export function showAll(o: { schema?: boolean; json?: boolean }): void {
  if (o.schema) {
    outRaw(schemaText());
    return;
  }
  if (o.json) {
    out(JSON.stringify({ sources: sourceRows(), types: typeRows(), handlers: handlerRows() }, null, 2));
    return;
  }
  out("=== Package Sources ===");
  for (const s of sourceRows()) out(`${s.name.padEnd(15)} ${s.description}`);
  out("\n=== Content Types ===");
  for (const t of typeRows()) out(`${t.name.padEnd(15)} ${t.description}`);
  out("\n=== Handlers ===");
  for (const h of handlerRows()) out(`${h.name.padEnd(15)} with: ${h.options.map((p) => p.name).join(", ")}`);
}

function pick<T extends { name: string }>(rows: T[], name: string, what: string): T {
  const row = rows.find((r) => r.name === name);
  if (!row) {
    const m = closestMatch(name, rows.map((r) => r.name));
    throw new IvpmError(`unknown ${what} '${name}'${m ? `; did you mean '${m}'?` : ""}`, {
      hint: `known: ${rows.map((r) => r.name).join(", ")}`,
    });
  }
  return row;
}

function printDetail(
  title: string,
  row: {
    name: string;
    description?: string;
    origin: string;
    params: { name: string; description?: string }[];
  },
) {
  out(`${title}: ${row.name}`);
  if (row.description) out(`Description: ${row.description}`);
  out(`Origin: ${row.origin}`);
  out(row.params.length ? "Parameters:" : "Parameters: (none)");
  for (const p of row.params) out(`  ${p.name.padEnd(14)} ${p.description ?? ""}`);
}

/** `ivpm show source [NAME]`. */
export function showSource(name: string | undefined, o: { json?: boolean }): void {
  const rows = sourceRows();
  if (name) {
    const row = pick(rows, name, "source");
    if (o.json) out(JSON.stringify(row, null, 2));
    else printDetail("Source", row);
    return;
  }
  if (o.json) return out(JSON.stringify(rows, null, 2));
  for (const s of rows) {
    out(`${s.name.padEnd(15)} ${s.description}`);
    out(`${"".padEnd(15)} params: ${s.params.map((p) => p.name).join(", ") || "(none)"}`);
  }
}

/** `ivpm show type [NAME]`. */
export function showType(name: string | undefined, o: { json?: boolean }): void {
  const rows = typeRows();
  if (name) {
    const row = pick(rows, name, "type");
    if (o.json) out(JSON.stringify(row, null, 2));
    else printDetail("Type", row);
    return;
  }
  if (o.json) return out(JSON.stringify(rows, null, 2));
  for (const t of rows) {
    out(`${t.name.padEnd(15)} ${t.description}`);
    out(`${"".padEnd(15)} with-params: ${t.params.map((p) => p.name).join(", ") || "(none)"}`);
  }
}
