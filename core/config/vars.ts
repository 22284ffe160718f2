/**
 * Variables: `vars:` defaults, `${{name}}` references, `$${{` escapes and the
 * precedence `-D` > `IVPM_VAR_<NAME>` > persisted > default, as in the original IVPM.
 *
 * Unlike the original, values keep their type: `cache: ${{use_cache}}` with a
 * boolean default stays a boolean, and `-D use_cache=false` is parsed as one, so
 * `"False"` can never be truthy.
 *
 * @module
 */

import { IvpmError, UsageError } from "../base/errors.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { closestMatch } from "../util/suggest.ts";
import type { LEntry, LMap, LNode } from "./located.ts";

/** A variable value. */
export type VarValue = string | number | boolean;

/** Where overrides come from. */
export interface VarSources {
  /** `-D NAME=VALUE` arguments, already split. */
  definitions?: Record<string, string>;
  /** Environment (for `IVPM_VAR_<NAME>`). */
  env?: Record<string, string>;
  /** Values persisted in `packages/ivpm.json` by the previous update. */
  persisted?: Record<string, unknown>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REF = /\$?\$\{\{\s*([^}]*?)\s*\}\}/g;

/** Parses `-D` arguments (`NAME=VALUE`), rejecting malformed ones as usage errors. */
export function parseDefinitions(defs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs) {
    const eq = d.indexOf("=");
    if (eq < 0) throw new UsageError(`-D requires NAME=VALUE, got '${d}'`, "write it as -D name=value");
    const name = d.slice(0, eq).trim();
    if (!name) throw new UsageError(`-D requires a non-empty variable name, got '${d}'`);
    setOwn(out, name, d.slice(eq + 1));
  }
  return out;
}

function coerce(name: string, raw: string, like: VarValue, origin: string): VarValue {
  if (typeof like === "boolean") {
    const l = raw.trim().toLowerCase();
    if (["true", "yes", "on", "1"].includes(l)) return true;
    if (["false", "no", "off", "0"].includes(l)) return false;
    throw new IvpmError(`${origin} gives variable '${name}' the value '${raw}', but it is a boolean`, {
      hint: "use true or false",
    });
  }
  if (typeof like === "number") {
    const n = Number(raw);
    if (raw.trim() === "" || Number.isNaN(n)) {
      throw new IvpmError(`${origin} gives variable '${name}' the value '${raw}', but it is a number`);
    }
    return n;
  }
  return raw;
}

/** `obj[key]` only when it is the object's own property (`constructor` is a valid variable name). */
function ownValue<T>(obj: Record<string, T> | undefined, key: string): T | undefined {
  return obj && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** `obj[key] = value` that treats `__proto__` as a plain key. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Computes final variable values from the `vars:` map and the override sources.
 * Throws for `-D` of an undeclared variable (a typo would otherwise be silently ignored).
 */
export function resolveVars(
  vars: LMap | undefined,
  src: VarSources,
  diags: Diagnostic[],
): Record<string, VarValue> {
  const out: Record<string, VarValue> = {};
  const declared = new Map<string, LEntry>();
  for (const e of vars?.entries ?? []) {
    if (!NAME.test(e.key)) {
      diags.push({
        severity: "error",
        message: `Invalid variable name '${e.key}' (use letters, digits and _, not starting with a digit)`,
        loc: e.keyLoc,
      });
      continue;
    }
    if (e.value.kind !== "scalar" || e.value.value === null) {
      diags.push({
        severity: "error",
        message: `Variable '${e.key}' must have a scalar default`,
        loc: e.value.loc,
      });
      continue;
    }
    declared.set(e.key, e);
    // A number written in a non-canonical way (`1.10`, `0x1F`) is kept as text: it is a version, not a number.
    const v = e.value.value as VarValue;
    const asText = typeof v === "number" && e.value.source !== undefined && String(v) !== e.value.source;
    setOwn(out, e.key, asText ? e.value.source! : v);
  }
  for (const name of Object.keys(src.definitions ?? {})) {
    if (!declared.has(name)) {
      const m = closestMatch(name, declared.keys());
      throw new IvpmError(
        `Variable '${name}' given with -D is not declared in the vars: block of ivpm.yaml${
          m ? ` (did you mean '${m}'?)` : ""
        }`,
        { hint: `declare it under package.vars, e.g. vars: { ${name}: default }` },
      );
    }
  }
  for (const name of declared.keys()) {
    const def = out[name];
    const d = ownValue(src.definitions, name);
    const e = ownValue(src.env, `IVPM_VAR_${name.toUpperCase()}`);
    const p = ownValue(src.persisted, name);
    if (d !== undefined) setOwn(out, name, coerce(name, d, def, `-D ${name}=…`));
    else if (e !== undefined) setOwn(out, name, coerce(name, e, def, `IVPM_VAR_${name.toUpperCase()}`));
    else if (p !== undefined && (typeof p === "string" || typeof p === "number" || typeof p === "boolean")) {
      setOwn(out, name, typeof p === typeof def ? p : coerce(name, String(p), def, "packages/ivpm.json"));
    }
  }
  return out;
}

/** Replaces `${{name}}` in every string scalar of the tree (not in keys). */
export function substitute(node: LNode, vars: Record<string, VarValue>, diags: Diagnostic[]): LNode {
  if (node.kind === "map") {
    return { ...node, entries: node.entries.map((e) => ({ ...e, value: substitute(e.value, vars, diags) })) };
  }
  if (node.kind === "seq") return { ...node, items: node.items.map((i) => substitute(i, vars, diags)) };
  if (typeof node.value !== "string" || !node.value.includes("${{")) return node;
  const text = node.value;
  // A whole-value reference keeps the variable's type.
  const whole = /^\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(text);
  if (whole) {
    const v = lookup(whole[1], node.loc, vars, diags);
    if (v === undefined) return node;
    // A number keeps its text too, so it also fits a field that expects a string (`tag: ${{major}}`).
    return typeof v === "number" ? { ...node, value: v, source: String(v) } : { ...node, value: v };
  }
  const value = text.replace(REF, (m: string, name: string) => {
    if (m.startsWith("$$")) return m.slice(1);
    const v = lookup(name, node.loc, vars, diags);
    return v === undefined ? m : String(v);
  });
  // What is left after removing complete references and escapes is an unterminated one: `${{name}`.
  const rest = text.replace(REF, "");
  const open = rest.indexOf("${{");
  if (open >= 0 && !(open > 0 && rest[open - 1] === "$")) {
    diags.push({
      severity: "error",
      message: `Unterminated variable reference in '${text}'`,
      loc: node.loc,
      notes: ["write ${{name}}, or $${{ for a literal ${{"],
    });
  }
  return { ...node, value };
}

function lookup(
  name: string,
  loc: LNode["loc"],
  vars: Record<string, VarValue>,
  diags: Diagnostic[],
): VarValue | undefined {
  if (!NAME.test(name)) {
    diags.push({ severity: "error", message: `Invalid variable reference '\${{${name}}}'`, loc });
    return undefined;
  }
  if (!Object.hasOwn(vars, name)) {
    const m = closestMatch(name, Object.keys(vars));
    diags.push({
      severity: "error",
      message: `Undefined variable '\${{${name}}}'${m ? `; did you mean '${m}'?` : ""}`,
      loc,
      notes: [`declare it under package.vars (declared: ${Object.keys(vars).join(", ") || "none"})`],
    });
    return undefined;
  }
  return vars[name];
}
