/**
 * The root pass of the agents handler: remove what is stale, then place every
 * skill in `.agents/skills/` (and `.claude/skills/`), and undo it all on destroy.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { isInside } from "@ivpm/plugin";
import {
  copyIsCurrent,
  type CopyPlan,
  copySkill,
  linkTarget,
  linkText,
  pathKind,
  planSkillCopy,
  symlinksSupported,
} from "./fs_ops.ts";
import type { NamedSkill } from "./naming.ts";
import { type AgentsState, type PlaceMode, type Target, TARGETS } from "./state.ts";

/** Where the root pass works and what it reports to. */
export interface PopulateContext {
  /** Absolute, normalized project directory. */
  projectDir: string;
  /** Absolute, normalized deps directory. */
  depsDir: string;
  /** Records a warning (shown to the user). */
  warn(message: string): void;
  /** Records a note (shown to the user). */
  note(message: string): void;
}

/** Options of {@link populate}. */
export interface PopulateOptions {
  /** Skills with their entry names (empty: only clean up). */
  skills: NamedSkill[];
  /** Whether `.claude/skills` is filled too. */
  claude: boolean;
  /** Place copies whatever the file system supports. */
  forceCopy: boolean;
  /** The state of the previous run. */
  prev: AgentsState;
}

async function sameDir(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const real = (p: string) => Deno.realPath(p).catch(() => undefined);
  const [x, y] = await Promise.all([real(a), real(b)]);
  return x !== undefined && x === y;
}

/** Removes an entry placed by a previous run: a link, or a directory it copied. */
async function removeOwned(path: string, ownedCopies: boolean): Promise<"removed" | "missing" | "foreign"> {
  const kind = await pathKind(path);
  if (kind === "missing") return "missing";
  if (kind === "symlink") await Deno.remove(path);
  else if (kind === "dir" && ownedCopies) await Deno.remove(path, { recursive: true });
  else return "foreign";
  return "removed";
}

/**
 * Removes the directories in `created` (deepest first) that hold nothing but
 * what is in `gone`, except those in `keep`. Returns the directories removed
 * (or that would be, with `dryRun`) and those still there.
 */
async function pruneCreated(
  projectDir: string,
  created: readonly string[],
  keep: ReadonlySet<string>,
  gone: Set<string>,
  dryRun: boolean,
): Promise<{ removed: string[]; remaining: string[] }> {
  const removed: string[] = [];
  const remaining: string[] = [];
  const depth = (p: string) => p.split("/").length;
  for (const rel of [...created].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1))) {
    const path = join(projectDir, rel);
    if (keep.has(rel)) {
      remaining.push(rel);
      continue;
    }
    if ((await pathKind(path)) !== "dir") continue; // gone already (or replaced): not ours any more
    const left: string[] = [];
    for await (const e of Deno.readDir(path)) if (!gone.has(join(path, e.name))) left.push(e.name);
    if (left.length) {
      remaining.push(rel);
      continue;
    }
    gone.add(path);
    removed.push(path);
    if (!dryRun) await Deno.remove(path);
  }
  return { removed, remaining };
}

/** Makes `rel` (and its parent) exist as directories; returns false when something else is in the way. */
async function ensureDir(
  ctx: PopulateContext,
  target: Target,
  created: string[],
): Promise<boolean> {
  for (const rel of [target.parent, target.rel]) {
    const path = join(ctx.projectDir, rel);
    const isDir = await Deno.stat(path).then((s) => s.isDirectory, () => undefined);
    if (isDir === undefined) {
      await Deno.mkdir(path);
      if (!created.includes(rel)) created.push(rel);
    } else if (!isDir) {
      ctx.warn(`${rel} exists and is not a directory; no skills placed there`);
      return false;
    }
  }
  return true;
}

/**
 * Places one skill as `dir/<name>`; returns whether the entry is now ivpm's
 * (created, replaced or already right), to be recorded in the state.
 */
async function place(
  ctx: PopulateContext,
  target: Target,
  skill: NamedSkill,
  mode: () => Promise<PlaceMode>,
  plan: () => Promise<CopyPlan>,
  owned: boolean,
  ownedCopies: boolean,
): Promise<boolean> {
  const dir = join(ctx.projectDir, target.rel);
  const dest = join(dir, skill.name);
  const shown = `${target.rel}/${skill.name}`;
  // Returns false when a copy cannot be made (plan() said why): then there is no entry.
  const create = async (): Promise<boolean> => {
    if ((await mode()) === "symlinks") {
      await Deno.symlink(linkText(dir, skill.dir, ctx.projectDir), dest);
      return true;
    }
    const p = await plan();
    if (p.usable) await copySkill(p, dest);
    return p.usable;
  };
  switch (await pathKind(dest)) {
    case "missing":
      return await create();
    case "symlink": {
      const target = await linkTarget(dest);
      const right = await sameDir(target, skill.dir);
      if (right && (!owned || (await mode()) === "symlinks")) return true;
      // Ours, or a link into the deps dir (an older layout): safe to replace.
      if (owned || isInside(target, ctx.depsDir)) {
        await Deno.remove(dest);
        return await create();
      }
      ctx.warn(`${shown} is a symlink to ${target}, not to ${skill.dir}; left as is`);
      return false;
    }
    case "dir":
      if (owned && ownedCopies) {
        if ((await mode()) === "copies") {
          const p = await plan();
          if (p.usable && await copyIsCurrent(p, dest)) return true;
        }
        await Deno.remove(dest, { recursive: true });
        return await create();
      }
      ctx.warn(
        (await mode()) === "copies"
          ? `${shown} already exists; skipped`
          : `${shown} exists and is not a symlink; skipped`,
      );
      return false;
    default:
      ctx.warn(`${shown} exists and is not a symlink; skipped`);
      return false;
  }
}

/**
 * Brings the skills directories in line with `opts.skills` and returns the new
 * state. Entries of the previous run that are no longer wanted are removed
 * first; entries already right are left untouched (a re-run changes nothing);
 * nothing is created when there are no skills.
 *
 * @example
 * ```ts
 * import { populate } from "./populate.ts";
 * import { readState } from "./state.ts";
 * const state = await populate(
 *   { projectDir: "/p", depsDir: "/p/packages", warn: console.warn, note: console.log },
 *   { skills: [], claude: false, forceCopy: false, prev: readState(undefined) },
 * );
 * ```
 */
export async function populate(ctx: PopulateContext, opts: PopulateOptions): Promise<AgentsState> {
  const { prev, skills } = opts;
  const active = TARGETS.filter((t) => t.key === "agents_skills" || opts.claude);
  // The Python original's state has no mode: it removed copied directories too.
  const ownedCopies = prev.mode !== "symlinks";
  const wanted = new Set(skills.map((s) => s.name));

  for (const t of TARGETS) {
    const keep = active.includes(t) ? wanted : new Set<string>();
    for (const name of prev[t.key]) {
      if (keep.has(name)) continue;
      if ((await removeOwned(join(ctx.projectDir, t.rel, name), ownedCopies)) === "foreign") {
        ctx.warn(`${t.rel}/${name} is no longer needed but was not placed by ivpm; left as is`);
      }
    }
  }

  const state: AgentsState = { agents_skills: [], claude_skills: [], created: [...prev.created] };
  const placed: Target[] = [];
  if (skills.length) {
    for (const t of active) if (await ensureDir(ctx, t, state.created)) placed.push(t);
  }

  let chosen: PlaceMode | undefined = opts.forceCopy
    ? "copies"
    : prev.mode === "symlinks"
    ? "symlinks"
    : undefined;
  // Probed only when needed: a file system's symlink support does not change between runs.
  const mode = async (): Promise<PlaceMode> => {
    chosen ??= (await symlinksSupported(join(ctx.projectDir, placed[0].rel))) ? "symlinks" : "copies";
    return chosen;
  };

  // One plan per skill (it is copied into both targets): its warnings are shown once.
  const plans = new Map<NamedSkill, Promise<CopyPlan>>();
  const planOf = (skill: NamedSkill) => {
    let p = plans.get(skill);
    if (!p) {
      p = planSkillCopy(skill.dir, skill.root).then((plan) => {
        for (const why of plan.skipped) ctx.warn(`skill '${skill.name}': ${why}`);
        return plan;
      });
      plans.set(skill, p);
    }
    return p;
  };

  for (const t of placed) {
    const owned = new Set(prev[t.key]);
    for (const skill of skills) {
      const plan = () => planOf(skill);
      if (await place(ctx, t, skill, mode, plan, owned.has(skill.name), ownedCopies)) {
        state[t.key].push(skill.name);
      }
    }
  }

  const keep = new Set(placed.flatMap((t) => [t.rel, t.parent]));
  state.created = (await pruneCreated(ctx.projectDir, state.created, keep, new Set(), false)).remaining;
  if (state.agents_skills.length || state.claude_skills.length) state.mode = await mode();
  if (skills.length && placed.some((t) => t.key === "agents_skills")) {
    ctx.note(`Populated .agents/skills/ with ${state.agents_skills.length} skill(s) (${await mode()})`);
  }
  return state;
}

/**
 * Removes every entry the state records and the directories the handler
 * created once empty; with `dryRun` only reports. Returns the paths.
 *
 * @example
 * ```ts
 * import { unpopulate } from "./populate.ts";
 * import { readState } from "./state.ts";
 * const removed = await unpopulate("/p", readState({ agents_skills: ["uvm"] }), true);
 * ```
 */
export async function unpopulate(projectDir: string, state: AgentsState, dryRun: boolean): Promise<string[]> {
  const root = resolve(projectDir);
  const ownedCopies = state.mode !== "symlinks";
  const removed: string[] = [];
  for (const t of TARGETS) {
    for (const name of state[t.key]) {
      const path = join(root, t.rel, name);
      const kind = await pathKind(path);
      if (kind !== "symlink" && !(kind === "dir" && ownedCopies)) continue;
      removed.push(path);
      if (!dryRun) await Deno.remove(path, { recursive: kind === "dir" });
    }
  }
  const pruned = await pruneCreated(root, state.created, new Set(), new Set(removed), dryRun);
  return [...removed, ...pruned.removed];
}
