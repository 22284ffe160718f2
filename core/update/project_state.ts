/**
 * `packages/ivpm.json`: what the previous update chose (dep-set, variables), the
 * handlers' persisted state, and what ivpm remembered to skip work next time.
 *
 * Everything read back is untrusted (plugins write the deps dir, people edit it):
 * the remembered sections (`root`, `packages`) are obeyed only under a valid seal
 * (see `state_seal.ts`), and each consumer validates the fields it uses — the
 * handlers their own state, `root_config.ts` and `known_packages.ts` their shape.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../util/fs.ts";
import { projectStateKey, seal, stateKey, unseal } from "./state_seal.ts";

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

/** The sections ivpm obeys without recomputing them: sealed on write, checked on read. */
const SEALED = ["root", "packages"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads `<depsDir>/ivpm.json`; a missing or unreadable file gives `{}` (and a warning via `onError`).
 * Fields of the wrong type are dropped, and a remembered section whose seal does not verify is dropped
 * with a note via `onNote` (the update then does that work again). `projectDir`: the project the deps dir
 * belongs to (default: its parent).
 */
export async function readProjectState(
  depsDir: string,
  onError: (message: string) => void = () => {},
  onNote: (message: string) => void = () => {},
  projectDir: string = join(depsDir, ".."),
): Promise<ProjectState> {
  const path = join(depsDir, STATE_FILE);
  let v: unknown;
  try {
    v = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) onError(`failed to read ${path}: ${e}`);
    return {};
  }
  if (!isObject(v)) {
    onError(`${path} is not a JSON object; ignoring it (the next update rewrites it)`);
    return {};
  }
  const state: ProjectState = {};
  const ds = v["dep-set"];
  if (typeof ds === "string" || ds === null) state["dep-set"] = ds;
  if (isObject(v.vars)) state.vars = v.vars;
  if (isObject(v.handlers)) state.handlers = v.handlers;
  const key = SEALED.some((s) => v[s] !== undefined) ? projectStateKey(projectDir) : undefined;
  const dropped: string[] = [];
  for (const section of SEALED) {
    const r = unseal(key, path, section, v[section]);
    if (r === "invalid") dropped.push(`'${section}'`);
    else if (r !== "absent") state[section] = r.value;
  }
  if (dropped.length) {
    onNote(
      `${path}: ignoring the remembered ${dropped.join(" and ")} section${dropped.length > 1 ? "s" : ""} ` +
        "(not sealed by ivpm for this user: edited by hand or by another program); " +
        "this update re-reads ivpm.yaml and redoes that work",
    );
  }
  return state;
}

/** Writes `<depsDir>/ivpm.json` atomically (not at all when it already holds this state). */
export async function writeProjectState(depsDir: string, state: ProjectState): Promise<void> {
  const path = join(depsDir, STATE_FILE);
  const out: ProjectState = { "dep-set": state["dep-set"] ?? null };
  if (state.vars && Object.keys(state.vars).length) out.vars = state.vars;
  if (state.handlers && Object.keys(state.handlers).length) out.handlers = state.handlers;
  // Without a key nothing could vouch for the remembered sections next time: they are not written.
  const key = stateKey();
  const big = key
    ? SEALED.filter((k) => state[k] !== undefined).map((k) => [k, seal(key, path, k, state[k])] as const)
    : [];
  // The remembered configs and leaf results are large and for ivpm only: one compact line each.
  let text = JSON.stringify(out, null, 2);
  if (big.length) {
    text = text.slice(0, -2) + big.map(([k, v]) =>
      `,\n  ${JSON.stringify(k)}: ${JSON.stringify(v)}`
    ).join("") +
      "\n}";
  }
  text += "\n";
  if (await Deno.readTextFile(path).catch(() => undefined) === text) return;
  await writeFileAtomic(path, text);
}
