/**
 * Agent skills shipped by installed Python distributions:
 * entry points `agent.skills` (then the legacy `ivpm.skill`) name a directory,
 * a list of directories, or a callable returning either.
 *
 * @module
 */

import { runTool } from "./tool.ts";

const BEGIN = "<<IVPM_SKILLS_JSON>>";
const END = "<</IVPM_SKILLS_JSON>>";

/** The Python program run in the venv; prints `<<IVPM_SKILLS_JSON>>{dirs, errors}<</IVPM_SKILLS_JSON>>`. */
export const SKILLS_SCRIPT = `
import json, os, sys, types
from importlib.metadata import entry_points
dirs, errors = [], []
def add(value):
    if isinstance(value, types.ModuleType):
        value = os.path.dirname(getattr(value, "__file__", "") or "")
    if isinstance(value, (str, os.PathLike)):
        value = [value]
    for d in value or []:
        d = os.path.abspath(os.fspath(d))
        if d not in dirs:
            dirs.append(d)
for group in ("agent.skills", "ivpm.skill"):
    try:
        eps = entry_points(group=group)
    except TypeError:
        eps = entry_points().get(group, [])
    for ep in eps:
        try:
            obj = ep.load()
            add(obj() if callable(obj) else obj)
        except Exception as e:
            errors.append("entry point %s '%s': %s" % (group, ep.name, e))
sys.stdout.write("${BEGIN}" + json.dumps({"dirs": dirs, "errors": errors}) + "${END}\\n")
`;

/** Skill directories (existing ones, sorted) and problems found, from the venv's entry points. */
export async function discoverSkills(python: string): Promise<{ dirs: string[]; errors: string[] }> {
  const r = await runTool(python, ["-c", SKILLS_SCRIPT]);
  const i = r.stdout.indexOf(BEGIN), j = r.stdout.indexOf(END);
  if (r.code !== 0 || i < 0 || j < i) {
    const last = r.output.trim().split("\n").pop() ?? "";
    return { dirs: [], errors: [`skill discovery failed (exit ${r.code}): ${last}`] };
  }
  const parsed = JSON.parse(r.stdout.slice(i + BEGIN.length, j)) as { dirs: string[]; errors: string[] };
  const dirs: string[] = [];
  for (const d of parsed.dirs) {
    try {
      if ((await Deno.stat(d)).isDirectory) dirs.push(d);
    } catch {
      parsed.errors.push(`skill directory ${d} does not exist`);
    }
  }
  return { dirs: dirs.sort(), errors: parsed.errors };
}
