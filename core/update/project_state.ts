/**
 * `packages/ivpm.json`: what the previous update chose (dep-set, variables) and
 * the handlers' persisted state.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../util/fs.ts";

/** Contents of `ivpm.json`. */
export interface ProjectState {
  "dep-set"?: string | null;
  vars?: Record<string, unknown>;
  handlers?: Record<string, unknown>;
  /** The project's parsed ivpm.yaml, reused while its files are unchanged (see `root_config.ts`). */
  root?: unknown;
  /** What the previous update learnt about each package (see `known_packages.ts`). */
  packages?: unknown;
}

/** The state file's name inside the deps dir. */
export const STATE_FILE = "ivpm.json";

/** Reads `<depsDir>/ivpm.json`; a missing or unreadable file gives `{}` (and a warning via `onError`). */
export async function readProjectState(
  depsDir: string,
  onError: (message: string) => void = () => {},
): Promise<ProjectState> {
  try {
    const v = JSON.parse(await Deno.readTextFile(join(depsDir, STATE_FILE)));
    return typeof v === "object" && v && !Array.isArray(v) ? v : {};
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) onError(`failed to read ${join(depsDir, STATE_FILE)}: ${e}`);
    return {};
  }
}

/** Writes `<depsDir>/ivpm.json` atomically (not at all when it already holds this state). */
export async function writeProjectState(depsDir: string, state: ProjectState): Promise<void> {
  const out: ProjectState = { "dep-set": state["dep-set"] ?? null };
  if (state.vars && Object.keys(state.vars).length) out.vars = state.vars;
  if (state.handlers && Object.keys(state.handlers).length) out.handlers = state.handlers;
  // The remembered configs and leaf results are large and for ivpm only: one compact line each.
  const big = [["root", state.root], ["packages", state.packages]].filter(([, v]) => v !== undefined);
  let text = JSON.stringify(out, null, 2);
  if (big.length) {
    text = text.slice(0, -2) + big.map(([k, v]) =>
      `,\n  ${JSON.stringify(k)}: ${JSON.stringify(v)}`
    ).join("") +
      "\n}";
  }
  text += "\n";
  const path = join(depsDir, STATE_FILE);
  if (await Deno.readTextFile(path).catch(() => undefined) === text) return;
  await writeFileAtomic(path, text);
}
