/**
 * JSON serialisation compatible with Python's
 * `json.dumps(obj, indent=2, sort_keys=True)` (ASCII-escaped), so lock files
 * and their `sha256` match those written by the original IVPM.
 *
 * @module
 */

/** Printable ASCII other than `"` and `\`: written as is (most strings of a lock; the loop is slow). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function escape(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) {
      // Python escapes every non-ASCII character, using surrogate pairs above the BMP.
      if (c > 0xffff) {
        const v = c - 0x10000;
        out += `\\u${(0xd800 + (v >> 10)).toString(16).padStart(4, "0")}`;
        out += `\\u${(0xdc00 + (v & 0x3ff)).toString(16).padStart(4, "0")}`;
      } else out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out + '"';
}

/** Serialises like Python's `json.dumps(value, indent=2, sort_keys=True)`. */
export function pythonJson(value: unknown, indent = 0): string {
  const pad = "  ".repeat(indent + 1);
  const end = "  ".repeat(indent);
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "string") return escape(value);
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    return "[\n" + value.map((v) => pad + pythonJson(v, indent + 1)).join(",\n") + "\n" + end + "]";
  }
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  if (!keys.length) return "{}";
  return "{\n" +
    keys.map((k) => `${pad}${escape(k)}: ${pythonJson((value as Record<string, unknown>)[k], indent + 1)}`)
      .join(
        ",\n",
      ) +
    "\n" + end + "}";
}

/** `datetime.now(timezone.utc).isoformat()` — microseconds and `+00:00`. */
export function pythonUtcNow(now = new Date()): string {
  return now.toISOString().replace(/\.(\d{3})Z$/, (_m, ms) => `.${ms}000+00:00`);
}
