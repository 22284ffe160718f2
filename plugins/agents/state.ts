/**
 * The agents handler's state in `packages/ivpm.json` (`handlers.agents`): the
 * entry names it placed in each skills directory (the original's keys), how it
 * placed them, and the directories it created.
 *
 * @module
 */

/** A skills directory the handler fills, with its state key. */
export interface Target {
  /** State key listing the entries placed there. */
  key: "agents_skills" | "claude_skills";
  /** Path relative to the project. */
  rel: string;
  /** Its parent, relative to the project. */
  parent: string;
}

/** `.agents/skills` (always) and `.claude/skills` (when asked for or `.claude/` exists). */
export const TARGETS: readonly Target[] = [
  { key: "agents_skills", rel: ".agents/skills", parent: ".agents" },
  { key: "claude_skills", rel: ".claude/skills", parent: ".claude" },
];

/** How entries are placed. */
export type PlaceMode = "symlinks" | "copies";

/** The persisted state. */
export interface AgentsState {
  /** Entry names in `.agents/skills/` this handler placed. */
  agents_skills: string[];
  /** Entry names in `.claude/skills/` this handler placed. */
  claude_skills: string[];
  /** How they were placed; absent in state written by the Python original (which copied or linked). */
  mode?: PlaceMode;
  /** Directories (relative to the project) this handler created, removed again once empty. */
  created: string[];
}

const KNOWN_DIRS = new Set(TARGETS.flatMap((t) => [t.rel, t.parent]));

function names(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  // Only plain entry names: a hand-edited state must not point removal elsewhere.
  return v.filter((n): n is string =>
    typeof n === "string" && n !== "" && n !== "." && n !== ".." && !/[\\/]/.test(n)
  );
}

/**
 * Reads a previous state (anything: it comes from a file users may edit).
 *
 * @example
 * ```ts
 * import { readState } from "./state.ts";
 * readState({ agents_skills: ["uvm"] }).agents_skills; // ["uvm"]
 * ```
 */
export function readState(raw: unknown): AgentsState {
  const r = raw && typeof raw === "object" ? raw as Record<string, unknown> : {};
  return {
    agents_skills: names(r.agents_skills),
    claude_skills: names(r.claude_skills),
    mode: r.mode === "symlinks" || r.mode === "copies" ? r.mode : undefined,
    created: Array.isArray(r.created) ? r.created.filter((d): d is string => KNOWN_DIRS.has(d)) : [],
  };
}

/**
 * The state to persist, or `undefined` when the handler owns nothing.
 *
 * @example
 * ```ts
 * import { stateEntries } from "./state.ts";
 * stateEntries({ agents_skills: [], claude_skills: [], created: [] }); // undefined
 * ```
 */
export function stateEntries(s: AgentsState): Record<string, unknown> | undefined {
  if (!s.agents_skills.length && !s.claude_skills.length && !s.created.length) return undefined;
  return {
    agents_skills: [...s.agents_skills].sort(),
    claude_skills: [...s.claude_skills].sort(),
    ...(s.mode ? { mode: s.mode } : {}),
    created: [...s.created].sort(),
  };
}
