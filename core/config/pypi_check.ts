/**
 * Config-time checks of a `src: pypi` dependency: its name, `version:` and
 * `extras:` end up in a pip requirements file, so each must be what PEP 508 /
 * PEP 440 allow and nothing more (a line break or a word starting with `-`
 * would become a pip option such as `--index-url`). Reported as located
 * diagnostics, so a bad dependency's ivpm.yaml fails before anything runs.
 *
 * @module
 */

import { getEntry, type LMap, type LNode } from "./located.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import {
  distributionNameProblem,
  extraProblem,
  LINE_BREAK,
  versionSpecProblem,
} from "../../plugins/python/pep508.ts";

const NOTE =
  "pypi entries are written into a pip requirements file; only PEP 508 names and PEP 440 versions " +
  "are accepted there";

/**
 * The problem of `value` checked by `check`; a value still holding `${{…}}` (an
 * undefined variable, reported elsewhere, or an escaped one) is only checked
 * for what would break the requirements file: line breaks and option words.
 */
function problemOf(value: string, check: (v: string) => string | undefined): string | undefined {
  if (!value.includes("${{")) return check(value);
  if (LINE_BREAK.test(value) || /(?:^|[ \t,])-/.test(value)) return check(value);
  return undefined;
}

function text(node: LNode): string | undefined {
  if (node.kind !== "scalar" || node.value === null) return undefined;
  return node.source ?? String(node.value);
}

/**
 * Problems of the `src: pypi` dependency `node` (`where` names it, e.g.
 * `Dependency 'numpy'`); wrong value kinds are left to the schema check.
 */
export function pypiDiagnostics(node: LMap, where: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (loc: Diagnostic["loc"], message: string) =>
    out.push({ severity: "error", message: `${where}: ${message}`, loc, notes: [NOTE] });
  const name = getEntry(node, "name");
  const nameText = name && text(name.value);
  const nameProblem = nameText === undefined ? undefined : problemOf(nameText, distributionNameProblem);
  if (nameProblem) add(name!.value.loc, `invalid PyPI package name: ${nameProblem}`);
  const version = getEntry(node, "version");
  const v = version && text(version.value);
  const vProblem = v === undefined ? undefined : problemOf(v, versionSpecProblem);
  if (vProblem) add(version!.value.loc, `invalid version: ${vProblem}`);
  const extras = getEntry(node, "extras");
  const items: LNode[] = extras ? (extras.value.kind === "seq" ? extras.value.items : [extras.value]) : [];
  for (const item of items) {
    const t = text(item);
    if (t === undefined) continue;
    // A string may list several extras separated by commas.
    const names = extras!.value.kind === "seq" ? [t.trim()] : t.split(",").map((x) => x.trim());
    for (const x of names.filter(Boolean)) {
      const problem = problemOf(x, extraProblem);
      if (problem) add(item.loc, `invalid extra: ${problem}`);
    }
  }
  return out;
}
