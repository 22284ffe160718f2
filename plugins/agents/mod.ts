/**
 * The `agents` handler: makes the agent skills (directories holding a
 * `SKILL.md`) of the dependencies, of the project itself and of Python entry
 * points visible to coding agents, as entries of `<project>/.agents/skills/`
 * (and `<project>/.claude/skills/` when `with.agents.claude` is true, or unset
 * and `.claude/` exists).
 *
 * - Leaf, per package with a directory: skill patterns from the consumer's
 *   dependency entry (`agents: {skills: [...]}`), else from the package's own
 *   `with.agents.skills`, else the auto-probe (`SKILL.md` at the root and every
 *   `skills/**` `/SKILL.md`). A SKILL.md must start with a front-matter block
 *   with non-empty `name:` and `description:`; others are skipped with a warning.
 * - Root: project skills (`with.agents.skills` of the root, else the auto-probe
 *   of the project root) and the skill directories the python handler publishes
 *   as `info.exchange.pythonSkillDirs`; entries are named and placed as relative
 *   symbolic links (absolute outside the project), or copied where the file
 *   system has no symbolic links. Setting `IVPM_AGENTS_FORCE_COPY=1` forces the
 *   copy fallback (used by tests).
 *
 * State (`handlers.agents` in `packages/ivpm.json`): `agents_skills` and
 * `claude_skills` (entry names, as in the original), `mode` and `created`.
 *
 * @module
 */

import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import {
  type DestroyInfo,
  HandlerPhase,
  type HandlerPhaseName,
  type ObjectSchema,
  PackageHandler,
  type PackageView,
  realPathInside,
  type RootInfo,
  s,
} from "@ivpm/plugin";
import { findSkills, skillPatterns } from "./discover.ts";
import { skillFileProblem } from "./front_matter.ts";
import { assignNames, type SkillEntry } from "./naming.ts";
import { populate, unpopulate } from "./populate.ts";
import { type AgentsState, readState, stateEntries } from "./state.ts";

/** Environment variable that forces the copy fallback when set to a non-empty value other than `0`. */
export const FORCE_COPY_ENV = "IVPM_AGENTS_FORCE_COPY";

/** What a leaf callback hands to the root pass. */
export type AgentsRecord = { skill: { root: string; dir: string } } | { warning: string };

/** A skill directory published by an earlier root handler (`info.exchange.pythonSkillDirs`). */
export type ExchangedSkillDir = string | { name?: string; dir: string };

/** Whether the run's environment (`info.env`; none in a sandbox without env) forces copies. */
function forceCopy(env: Readonly<Record<string, string>> | undefined): boolean {
  const v = env?.[FORCE_COPY_ENV];
  return !!v && v !== "0";
}

/**
 * Warnings and notes of the root pass: they go to `info.warn` / `info.note`
 * when the caller provides them (both are optional), else they are shown as the
 * progress lines of one task (warnings prefixed `warning: `).
 */
class Messages {
  lines: { warn: boolean; text: string }[] = [];
  warn = (m: string) => void this.lines.push({ warn: true, text: m });
  note = (m: string) => void this.lines.push({ warn: false, text: m });

  flush(handler: PackageHandler, info: RootInfo): void {
    if (!this.lines.length) return;
    const { warn, note } = info;
    if (warn && note) {
      for (const l of this.lines) (l.warn ? warn : note).call(info, l.text);
      return;
    }
    const task = handler.taskContext(info, "agents", "Agent skills");
    for (const l of this.lines) task.progress(l.warn ? `warning: ${l.text}` : l.text);
    task.end();
  }
}

/** Links (or copies) agent skills into `.agents/skills/` and `.claude/skills/`. */
export class AgentsHandler extends PackageHandler {
  /** `package.with.agents`, state key `handlers.agents`. */
  static override name = "agents";
  /** Shown by `ivpm show handler agents`. */
  static override description =
    "Creates .agents/skills/ symlinks (or copies) for the skills (SKILL.md) of dependencies, the project and Python entry points";
  /** The original's phase 6: with node, after python (phase 5). */
  static override phase: HandlerPhaseName = HandlerPhase.INTEGRATE;
  /** Python entry-point skills arrive through `info.exchange` from the python handler. */
  static override runAfter: string[] = ["python"];
  /** `package.with.agents`: `skills` (globs) and `claude` (bool). */
  static override options: ObjectSchema = s.object({
    skills: s.array(
      s.string(),
      "Globs (relative to the package) of SKILL.md files or skill directories; default SKILL.md and skills/**/SKILL.md",
    ),
    claude: s.boolean("Also populate .claude/skills (default: only when .claude/ exists)"),
  });

  #prev: AgentsState = readState(undefined);
  #next: AgentsState | undefined;

  /** Finds the skills of one package and collects them (and any warnings) for the root pass. */
  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    if (pkg.virtual || pkg.srcType === "pypi") return;
    const root = resolve(pkg.path);
    if (!(await Deno.stat(root).then((st) => st.isDirectory, () => false))) return;
    const label = `package '${pkg.name}'`;
    let patterns: string[] | undefined;
    const sources: [unknown, string][] = [
      [pkg.extra.agents, "its dependency entry's 'agents'"],
      [pkg.ownWith.agents, "its ivpm.yaml 'with.agents'"],
    ];
    for (const [block, where] of sources) {
      const p = skillPatterns(block);
      if (p && !Array.isArray(p)) {
        this.collect({ warning: `${label}: ${where}: ${p.invalid}; ignored` } satisfies AgentsRecord);
      } else if (p) {
        patterns = p;
        break;
      }
    }
    const found = await findSkills(root, patterns, label);
    for (const w of found.warnings) this.collect({ warning: w } satisfies AgentsRecord);
    for (const dir of found.dirs) this.collect({ skill: { root, dir } } satisfies AgentsRecord);
  }

  /** Remembers the previous state, kept if the root pass does not run. */
  override onRootPreLoad(info: RootInfo): void {
    super.onRootPreLoad(info);
    this.#prev = readState(info.state);
    this.#next = undefined;
  }

  /** Gathers every skill, names them and brings the skills directories in line. */
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const projectDir = resolve(info.projectDir || dirname(info.depsDir));
    const depsDir = resolve(info.depsDir);
    const msg = new Messages();
    const prev = readState(info.state);

    // Precedence when one directory is found twice: project, then package, then entry point.
    const found: { rank: number; entry: SkillEntry }[] = [];
    const paths = new Map(info.packages.map((p) => [p.name, p.path]));
    for (const r of info.records) {
      const rec = r.record as AgentsRecord;
      if (rec && typeof rec === "object" && "warning" in rec) msg.warn(String(rec.warning));
      else if (await this.#skillInPackage(rec, paths.get(r.package))) {
        found.push({ rank: 1, entry: { kind: "dependency", owner: r.package, ...rec.skill } });
      } else {msg.warn(
          `package '${r.package}': a skill record names a directory outside the package; ignored`,
        );}
    }
    const projectPatterns = skillPatterns(info.config);
    const own = await findSkills(
      projectDir,
      Array.isArray(projectPatterns) ? projectPatterns : undefined,
      "project",
      [depsDir],
    );
    own.warnings.forEach(msg.warn);
    for (const dir of own.dirs) {
      found.push({
        rank: 0,
        entry: { kind: "project", owner: basename(projectDir), root: projectDir, dir },
      });
    }
    // Only the python handler publishes this key: the engine keeps a plugin from replacing it.
    for (const entry of await this.#exchangedSkills(info.exchange, msg)) found.push({ rank: 2, entry });

    const seen = new Set<string>();
    const unique: SkillEntry[] = [];
    for (const { entry } of found.sort((a, b) => a.rank - b.rank)) {
      const key = await Deno.realPath(entry.dir).catch(() => entry.dir);
      if (seen.has(key)) continue;
      seen.add(key);
      unique.push(entry);
    }

    const claudeCfg = info.config.claude;
    const claude = claudeCfg === true ||
      (claudeCfg !== false &&
        (await Deno.stat(join(projectDir, ".claude")).then((st) => st.isDirectory, () => false)));
    this.#next = await populate(
      { projectDir, depsDir, warn: msg.warn, note: msg.note },
      { skills: assignNames(unique), claude, forceCopy: forceCopy(info.env), prev },
    );

    msg.flush(this, info);
  }

  /**
   * Whether a record's skill lies inside its package, links resolved (records may be replayed from the
   * last run's ivpm.json, so they are checked like any input).
   */
  async #skillInPackage(rec: AgentsRecord, pkgPath: string | undefined): Promise<boolean> {
    if (!rec || typeof rec !== "object" || !("skill" in rec) || pkgPath === undefined) return false;
    const { root, dir } = rec.skill ?? {};
    if (typeof root !== "string" || typeof dir !== "string") return false;
    return !!(await realPathInside(pkgPath, root)) && !!(await realPathInside(pkgPath, dir));
  }

  /** Skill directories from `info.exchange.pythonSkillDirs` that hold a valid SKILL.md. */
  async #exchangedSkills(exchange: Record<string, unknown>, msg: Messages): Promise<SkillEntry[]> {
    const raw = exchange.pythonSkillDirs;
    if (!Array.isArray(raw)) return [];
    const out: SkillEntry[] = [];
    for (const item of raw as ExchangedSkillDir[]) {
      const dir = typeof item === "string" ? item : item?.dir;
      if (typeof dir !== "string" || !isAbsolute(dir)) continue;
      const abs = resolve(dir);
      const owner = (typeof item === "object" && typeof item.name === "string" && item.name) ||
        basename(abs);
      const problem = await skillFileProblem(join(abs, "SKILL.md"));
      if (problem) {
        msg.warn(`python entry point '${owner}': ${join(abs, "SKILL.md")} ${problem}; skipped`);
        continue;
      }
      out.push({ kind: "dependency", owner, root: abs, dir: abs });
    }
    return out;
  }

  /** `{agents_skills, claude_skills, mode, created}`, or nothing when ivpm owns nothing. */
  override getStateEntries(): Record<string, unknown> | undefined {
    // Without a root pass this run (it failed or was skipped), keep owning what the last one placed.
    return stateEntries(this.#next ?? this.#prev);
  }

  /** Removes the entries and directories the state says ivpm created. */
  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const projectDir = info.projectDir || dirname(info.depsDir);
    return await unpopulate(projectDir, readState(info.state), info.dryRun);
  }
}
