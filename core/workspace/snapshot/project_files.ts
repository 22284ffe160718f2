/**
 * Copies a project's own files into a snapshot: in a git repository the files
 * git knows about (tracked, plus untracked ones that are not ignored — a new
 * ivpm.yaml not committed yet still belongs), as they are in the working tree;
 * otherwise every file. The deps dir is never copied (the snapshot writes its
 * own), nor is `.git`.
 *
 * @module
 */

import { dirname, join, relative, sep } from "node:path";
import { git } from "../../fetch/git/mod.ts";
import { copyTree } from "../../util/fs.ts";

/** The project's git state, recorded in the snapshot manifest. */
export interface ProjectGitInfo {
  /** HEAD sha ("" before the first commit). */
  commit: string;
  /** Branch, when not detached. */
  branch?: string;
  /** Tracked files had changes (the snapshot holds the working-tree content). */
  dirty: boolean;
}

/** What {@link copyProjectFiles} copied. */
export interface ProjectCopy {
  /** Paths copied (relative to the project). */
  files: number;
  /** Set when the project is inside a git repository. */
  git?: ProjectGitInfo;
}

/** Lists the project's files (relative paths) without copying. `exclude` are relative paths. */
export async function listProjectFiles(
  projectDir: string,
  exclude: string[],
): Promise<{ files: string[]; git?: ProjectGitInfo }> {
  const skip = (rel: string) =>
    rel === ".git" || rel.startsWith(`.git${sep}`) ||
    exclude.some((x) => rel === x || rel.startsWith(x + sep));
  const inRepo = await git(["rev-parse", "--is-inside-work-tree"], { cwd: projectDir, allowFail: true });
  if (inRepo.code === 0 && inRepo.stdout.trim() === "true") {
    const listed = await git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: projectDir,
    });
    const files = [...new Set(listed.stdout.split("\0").filter(Boolean))].filter((f) => !skip(f));
    const status = await git(["status", "--porcelain=v2", "--branch", "--untracked-files=no"], {
      cwd: projectDir,
    });
    const info: ProjectGitInfo = { commit: "", dirty: false };
    for (const line of status.stdout.split("\n")) {
      if (line.startsWith("# branch.oid ")) {
        info.commit = line.slice(13) === "(initial)" ? "" : line.slice(13);
      } else if (line.startsWith("# branch.head ") && line.slice(14) !== "(detached)") {
        info.branch = line.slice(14);
      } else if (/^[12u] /.test(line)) info.dirty = true;
    }
    return { files, git: info };
  }
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      const rel = relative(projectDir, path);
      if (skip(rel)) continue;
      if (e.isDirectory) await walk(path);
      else files.push(rel);
    }
  };
  await walk(projectDir);
  return { files: files.sort() };
}

/** Copies the listed project files into `dest` (symlinks stay symlinks; a submodule directory is copied whole). */
export async function copyProjectFiles(
  projectDir: string,
  dest: string,
  exclude: string[],
): Promise<ProjectCopy> {
  const { files, git: info } = await listProjectFiles(projectDir, exclude);
  let copied = 0;
  for (const rel of files) {
    const from = join(projectDir, rel), to = join(dest, rel);
    const st = await Deno.lstat(from).catch(() => undefined);
    // Deleted in the working tree but still in the index: the snapshot holds the tree as it is.
    if (!st) continue;
    await Deno.mkdir(dirname(to), { recursive: true });
    if (st.isSymlink) await Deno.symlink(await Deno.readLink(from), to);
    else if (st.isDirectory) {
      // A submodule of the project: its `.git` file points into the project's .git, which is not copied.
      await copyTree(from, to);
      const dotGit = await Deno.lstat(join(to, ".git")).catch(() => undefined);
      if (dotGit?.isFile) await Deno.remove(join(to, ".git"));
    } else await Deno.copyFile(from, to);
    copied++;
  }
  return { files: copied, ...(info ? { git: info } : {}) };
}
