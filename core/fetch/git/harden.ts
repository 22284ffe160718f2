/**
 * Keeps a repository's own configuration from running programs when ivpm runs
 * git in it. A package's `.git/config` is untrusted (a callback or a tool may
 * have written to it), yet git would execute what it names: `core.fsmonitor`,
 * hooks, filter drivers, merge drivers, credential helpers, `!command`
 * submodule updates, `remote.*.uploadpack`, gpg programs…
 *
 * Overrides travel as command-scope config (`GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`),
 * which wins over every config file and reaches the git processes git itself
 * starts (submodules included). Keys that are not per-name are overridden
 * always; per-name ones (`filter.<name>.clean`) only for the names the
 * repository's local config defines, found by reading its section headers —
 * no extra process, except when the config includes other files (then
 * `git config --list` tells). The user's global and system config stay trusted.
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import { lstatSyncOrUndefined, readRegularFileSync } from "../../util/fs.ts";

/** One `key = value` override. */
export type ConfigPair = readonly [key: string, value: string];

/** Overrides applied to every git command, whatever the repository. */
export const ALWAYS: readonly ConfigPair[] = [
  ["core.fsmonitor", "false"],
  ["core.hooksPath", "/dev/null"],
  ["core.askPass", ""],
  ["core.pager", "cat"],
  ["core.editor", ":"],
  ["core.alternateRefsCommand", ""],
  ["protocol.ext.allow", "never"],
];

/** A `[section "subsection"]` (or legacy `[section.subsection]`) of a config file, section lowercased. */
export interface ConfigSection {
  section: string;
  subsection?: string;
}

/**
 * Section headers of a config file's text, plus extra candidates (anything
 * between brackets is looked at, so a header is never missed; a false
 * candidate only adds a harmless override).
 */
export function configSections(text: string): ConfigSection[] {
  const found: ConfigSection[] = [];
  // git: name chars then, after spaces (not a newline), a quoted subsection where `\x` stands for `x`.
  const header = /\[([A-Za-z0-9.-]*)(?:[^\S\n]+"((?:[^"\\\n]|\\[^\n])*)")?[^\S\n]*\]/g;
  for (const m of text.matchAll(header)) {
    const name = m[1];
    const dot = name.indexOf(".");
    if (m[2] !== undefined) {
      const sub = m[2].replace(/\\(.)/g, "$1");
      // `[a.b "c"]` is section `a`, subsection `b.c` once git splits the key.
      found.push(
        dot < 0 ? { section: name.toLowerCase(), subsection: sub } : {
          section: name.slice(0, dot).toLowerCase(),
          subsection: `${name.slice(dot + 1).toLowerCase()}.${sub}`,
        },
      );
      continue;
    }
    // Legacy `[section.sub]`: git lowercases the whole name.
    if (dot < 0) found.push({ section: name.toLowerCase() });
    else {found.push({
        section: name.slice(0, dot).toLowerCase(),
        subsection: name.slice(dot + 1).toLowerCase(),
      });}
  }
  return found;
}

/** Sections of the listed keys (`git config --name-only`): split at the first and last dot. */
export function sectionsOfKeys(keys: string[]): ConfigSection[] {
  const out: ConfigSection[] = [];
  for (const key of keys) {
    const first = key.indexOf("."), last = key.lastIndexOf(".");
    if (first < 0) continue;
    out.push(
      first === last
        ? { section: key.slice(0, first).toLowerCase() }
        : { section: key.slice(0, first).toLowerCase(), subsection: key.slice(first + 1, last) },
    );
  }
  return out;
}

/** The overrides that disarm the program-running keys of these local sections. */
export function overridesFor(sections: ConfigSection[]): ConfigPair[] {
  const out = new Map<string, string>();
  const set = (k: string, v: string) => out.set(k, v);
  for (const { section, subsection: sub } of sections) {
    if (section === "filter" && sub !== undefined) {
      // An empty driver command is skipped; `required` would otherwise turn that into an error.
      for (const k of ["clean", "smudge", "process"]) set(`filter.${sub}.${k}`, "");
      set(`filter.${sub}.required`, "false");
    } else if (section === "diff" && sub !== undefined) {
      set(`diff.${sub}.textconv`, "");
      set(`diff.${sub}.command`, "");
    } else if (section === "diff") {
      set("diff.external", "");
    } else if (section === "merge" && sub !== undefined) {
      // A failing driver leaves a conflict, which the caller reports (an empty one would "succeed").
      set(`merge.${sub}.driver`, "false");
    } else if (section === "submodule" && sub !== undefined) {
      // `update = !command` is only refused in .gitmodules, not in .git/config.
      set(`submodule.${sub}.update`, "checkout");
    } else if (section === "credential") {
      // The empty value resets the helper list (ivpm's own credentials come through GIT_ASKPASS).
      set("credential.helper", "");
    } else if (section === "gpg") {
      // Never sign or verify with the repository's gpg programs.
      set("commit.gpgSign", "false");
      set("tag.gpgSign", "false");
      set("merge.verifySignatures", "false");
      set("log.showSignature", "false");
    }
  }
  return [...out];
}

/** Where the local config of the repository containing `dir` lives, found the way git finds it. */
interface RepoConfigFiles {
  /** `config` of the (common) git dir, and `config.worktree` when present. */
  files: string[];
}

/**
 * The config files of the repository `dir` is in (walking up to the `.git`), or undefined outside one.
 * Synchronous: a few tiny reads per git call (`ivpm status` makes one per package); only regular files
 * are read (a FIFO would block).
 */
function repoConfigFiles(dir: string): RepoConfigFiles | undefined {
  let at = resolve(dir);
  for (;;) {
    const dotGit = join(at, ".git");
    const st = lstatSyncOrUndefined(dotGit);
    if (st) {
      let gitDir = dotGit;
      if (st.isFile) {
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(readRegularText(dotGit) ?? "");
        if (!m) return undefined;
        gitDir = isAbsolute(m[1]) ? m[1] : resolve(at, m[1]);
      }
      const common = readRegularText(join(gitDir, "commondir"))?.trim();
      const commonDir = common ? (isAbsolute(common) ? common : resolve(gitDir, common)) : gitDir;
      return { files: [join(commonDir, "config"), join(gitDir, "config.worktree")] };
    }
    // A bare repository or the git dir itself: its own `config`.
    if (lstatSyncOrUndefined(join(at, "HEAD")) && lstatSyncOrUndefined(join(at, "objects"))) {
      return { files: [join(at, "config")] };
    }
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

const decoder = new TextDecoder();

/** The text of a regular file; `"not-regular"` or undefined as {@link readRegularFileSync} says. */
function readConfigText(path: string): string | "not-regular" | undefined {
  const bytes = readRegularFileSync(path);
  return bytes instanceof Uint8Array ? decoder.decode(bytes) : bytes;
}

function readRegularText(path: string): string | undefined {
  const text = readConfigText(path);
  return text === "not-regular" ? undefined : text;
}

/** What {@link localConfig} needs when the config includes other files. */
export type ListLocalKeys = (dir: string) => Promise<string[]>;

/** What the local config of a repository defines that matters here. */
export interface LocalConfig {
  sections: ConfigSection[];
  /**
   * Some `remote.<name>.uploadpack` may be set: the first value wins (an override
   * cannot replace it), so fetches pass `--upload-pack` instead.
   */
  uploadPack: boolean;
}

/** Key names have no escapes or line continuations: a key is only set where its name is written. */
const UPLOAD_PACK = /uploadpack/i;

/**
 * The sections the local config of the repository at `dir` defines. Files
 * with `include`/`includeIf` are listed by `listKeys` (git resolves those).
 */
export async function localConfig(dir: string, listKeys: ListLocalKeys): Promise<LocalConfig> {
  const repo = repoConfigFiles(dir);
  const local: LocalConfig = { sections: [], uploadPack: false };
  if (!repo) return local;
  for (const file of repo.files) {
    const text = readConfigText(file);
    if (text === undefined) continue;
    const found = text === "not-regular" ? [] : configSections(text);
    // Includes (and a config ivpm cannot read itself): ask git for the keys it will see.
    if (text === "not-regular" || found.some((s) => s.section === "include" || s.section === "includeif")) {
      const keys = await listKeys(dir);
      return { sections: sectionsOfKeys(keys), uploadPack: keys.some((k) => UPLOAD_PACK.test(k)) };
    }
    local.sections.push(...found);
    if (UPLOAD_PACK.test(text)) local.uploadPack = true;
  }
  return local;
}

/** Sub-commands that start `git-upload-pack` for a configured remote. */
const FETCHING = new Set(["fetch", "pull", "ls-remote"]);

/** `args` with `--upload-pack=git-upload-pack` after a fetching sub-command at index `at`. */
export function withDefaultUploadPack(args: string[], at: number): string[] {
  if (at < 0 || !FETCHING.has(args[at])) return args;
  return [...args.slice(0, at + 1), "--upload-pack=git-upload-pack", ...args.slice(at + 1)];
}

/**
 * Adds `pairs` to the command-scope config of `env` (appending after any
 * `GIT_CONFIG_COUNT` entries the user already has in `base`).
 */
export function withConfigPairs(
  env: Record<string, string>,
  base: Record<string, string | undefined>,
  pairs: readonly ConfigPair[],
): void {
  const start = Number(base.GIT_CONFIG_COUNT ?? 0) || 0;
  pairs.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${start + i}`] = k;
    env[`GIT_CONFIG_VALUE_${start + i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(start + pairs.length);
}
