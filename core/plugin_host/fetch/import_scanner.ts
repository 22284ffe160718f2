/**
 * Finds the module specifiers a JavaScript or TypeScript source imports, without
 * a full parser: a small tokenizer that understands comments, strings, template
 * literals and regular-expression literals (so `"import x from 'y'"` in a string
 * is not an import), then a pass over the tokens for the statement shapes that
 * load modules.
 *
 * Recognised: `import … from "x"`, `import "x"`, `export … from "x"`,
 * `import("x")` with a string literal, plus their `type`-only forms (flagged so
 * callers can skip them: the bundler erases them). `import.meta`, `obj.import`
 * and non-literal `import(expr)` are ignored.
 *
 * @module
 */

/** How a specifier is imported. */
export type ImportKind = "static" | "side-effect" | "re-export" | "dynamic";

/** One import found in a source. */
export interface ImportRef {
  /** The specifier, with string escapes decoded. */
  specifier: string;
  kind: ImportKind;
  /** `import type …` / `export type … from …`: erased when compiled, needs no module at run time. */
  typeOnly: boolean;
  /** Offset of the specifier's string literal in the source (for messages). */
  offset: number;
}

type TokenType = "word" | "string" | "template" | "regex" | "punct";

interface Token {
  type: TokenType;
  /** Word text, punctuator, or decoded string value. */
  value: string;
  offset: number;
}

/** Words after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/** Lists every import of `source` in source order. */
export function scanImports(source: string): ImportRef[] {
  return findImports(tokenize(source));
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
    code === 36 || code === 95 || code > 127;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  /** One entry per open `{`: true when it opened a template `${`, so its `}` resumes the template. */
  const braces: boolean[] = [];
  let i = 0;
  if (src.startsWith("#!")) i = lineEnd(src, 0);
  const n = src.length;

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === "word") return REGEX_AFTER_WORDS.has(prev.value);
    if (prev.type === "punct") return prev.value !== ")" && prev.value !== "]";
    return false;
  };

  /** Scans template text from `i` (just after "`" or a `${…}`'s "}") to the closing "`" or the next "${". */
  const templateChunk = (start: number): void => {
    let j = start;
    while (j < n) {
      const c = src[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        j++;
        break;
      } else if (c === "$" && src[j + 1] === "{") {
        braces.push(true);
        j += 2;
        break;
      } else j++;
    }
    tokens.push({ type: "template", value: "", offset: start });
    i = j;
  };

  while (i < n) {
    const c = src[i];
    const code = src.charCodeAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || code === 0xfeff || code === 0xa0) {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      i = lineEnd(src, i);
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      const [value, end] = readString(src, i);
      tokens.push({ type: "string", value, offset: i });
      i = end;
    } else if (c === "`") {
      templateChunk(i + 1);
    } else if (c === "/" && regexAllowed()) {
      const end = regexEnd(src, i);
      if (end < 0) {
        tokens.push({ type: "punct", value: "/", offset: i });
        i++;
      } else {
        tokens.push({ type: "regex", value: "", offset: i });
        i = end;
      }
    } else if (isWordChar(code)) {
      let j = i + 1;
      while (j < n && isWordChar(src.charCodeAt(j))) j++;
      tokens.push({ type: "word", value: src.slice(i, j), offset: i });
      i = j;
    } else if (c === "{") {
      braces.push(false);
      tokens.push({ type: "punct", value: c, offset: i });
      i++;
    } else if (c === "}") {
      if (braces.pop()) templateChunk(i + 1);
      else {
        tokens.push({ type: "punct", value: c, offset: i });
        i++;
      }
    } else if (c === "." && src[i + 1] === "." && src[i + 2] === ".") {
      tokens.push({ type: "punct", value: "...", offset: i });
      i += 3;
    } else if (c === "?" && src[i + 1] === ".") {
      // Optional chaining behaves like `.` for our purposes (`a?.import` is a property).
      tokens.push({ type: "punct", value: ".", offset: i });
      i += 2;
    } else {
      tokens.push({ type: "punct", value: c, offset: i });
      i++;
    }
  }
  return tokens;
}

function lineEnd(src: string, from: number): number {
  const end = src.indexOf("\n", from);
  return end < 0 ? src.length : end;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  0: "\0",
};

/** Reads a quoted string starting at `start`; returns its decoded value and the offset after it. */
function readString(src: string, start: number): [string, number] {
  const quote = src[start];
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) return [out, i + 1];
    if (c === "\n") return [out, i]; // unterminated: stop at the line end rather than swallow the file
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === "x" && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === "u" && src[i + 2] === "{") {
      const close = src.indexOf("}", i + 3);
      const cp = parseInt(src.slice(i + 3, close), 16);
      out += Number.isFinite(cp) && close > 0 ? String.fromCodePoint(cp) : "";
      i = close < 0 ? src.length : close + 1;
    } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e === "\r" && src[i + 2] === "\n") {
      i += 3; // line continuation
    } else if (e === "\n" || e === "\r") {
      i += 2;
    } else {
      out += SIMPLE_ESCAPES[e] ?? e ?? "";
      i += 2;
    }
  }
  return [out, i];
}

/** End offset of a regular-expression literal at `start`, or -1 if it does not close on its line. */
function regexEnd(src: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < src.length) {
    const c = src[i];
    if (c === "\n" || c === "\r") return -1;
    if (c === "\\") i += 2;
    else {
      if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) {
        i++;
        while (i < src.length && isWordChar(src.charCodeAt(i))) i++; // flags
        return i;
      }
      i++;
    }
  }
  return -1;
}

function isPunct(t: Token | undefined, value: string): boolean {
  return t !== undefined && t.type === "punct" && t.value === value;
}

function isWord(t: Token | undefined, value?: string): boolean {
  return t !== undefined && t.type === "word" && (value === undefined || t.value === value);
}

/** Index of the string token after a `from` at or after `start`, or -1 if the statement ends first. */
function fromClause(tokens: Token[], start: number): number {
  let depth = 0;
  for (let j = start; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.type === "punct") {
      if (t.value === "{") depth++;
      else if (t.value === "}") {
        if (--depth < 0) return -1;
      } else if (depth === 0 && (t.value === ";" || t.value === "=" || t.value === "(" || t.value === ")")) {
        return -1;
      }
    } else if (t.type === "word" && depth === 0) {
      if (t.value === "from" && tokens[j + 1]?.type === "string") return j + 1;
      // Outside braces only a few words can precede `from`; any other word ends the statement.
      if (t.value === "import" || t.value === "export") return -1;
    } else if (t.type === "string" && depth === 0) {
      return -1;
    }
  }
  return -1;
}

function findImports(tokens: Token[]): ImportRef[] {
  const found: ImportRef[] = [];
  const add = (at: number, kind: ImportKind, typeOnly: boolean) => {
    const t = tokens[at];
    found.push({ specifier: t.value, kind, typeOnly, offset: t.offset });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== "word" || (t.value !== "import" && t.value !== "export")) continue;
    if (isPunct(tokens[i - 1], ".")) continue; // a property named `import`
    const next = tokens[i + 1];
    if (t.value === "import") {
      if (isPunct(next, "(")) {
        const arg = tokens[i + 2];
        if (arg?.type === "string" && (isPunct(tokens[i + 3], ")") || isPunct(tokens[i + 3], ","))) {
          // `typeof import("./x")` in a type position is type-only.
          add(i + 2, "dynamic", isWord(tokens[i - 1], "typeof"));
        }
        continue;
      }
      if (next?.type === "string") {
        add(i + 1, "side-effect", false);
        continue;
      }
      if (!(isWord(next) || isPunct(next, "{") || isPunct(next, "*"))) continue;
      const at = fromClause(tokens, i + 1);
      if (at < 0) continue;
      // `import type from "x"` imports a default binding called `type`; `import type X from` is type-only.
      const typeOnly = isWord(next, "type") && !(isWord(tokens[i + 2], "from") && at === i + 3);
      add(at, "static", typeOnly);
      i = at;
    } else {
      let j = i + 1;
      const typeOnly = isWord(tokens[j], "type");
      if (typeOnly) j++;
      if (!(isPunct(tokens[j], "*") || isPunct(tokens[j], "{"))) continue;
      const at = fromClause(tokens, j);
      if (at < 0) continue;
      add(at, "re-export", typeOnly);
      i = at;
    }
  }
  return found;
}
