/**
 * Which tags of a checkout came from its remote. A commit reachable only from a
 * tag counts as saved when that tag is the remote's; a tag made locally (never
 * pushed) saves nothing, and a local commit it holds would be lost with the
 * checkout.
 *
 * Git keeps fetched and local tags side by side in `refs/tags/`, so ivpm writes
 * down the tags right after its clone, when every tag there is the remote's
 * (`.git/ivpm-fetched-tags`: one `<sha> <ref>` per line). The check then needs
 * no network, and no extra git process at clone time: a fresh clone writes its
 * refs to `packed-refs` (tags fetched while checking out a commit are loose
 * refs), which are read as files. Tags fetched later (by the user) are not in
 * the record: their commits count as unsaved, the safe side.
 *
 * @module
 */

import { join } from "node:path";
import { git } from "./run.ts";

/** The record's file name inside `.git`. */
export const FETCHED_TAGS_FILE = "ivpm-fetched-tags";

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A ref name as the record holds it: printable, no spaces, under refs/tags/. */
const TAG_REF = /^refs\/tags\/[\x21-\x7e]+$/;

/** Records the tags of the fresh clone at `checkout` as the remote's (see the module doc). */
export async function recordFetchedTags(checkout: string, signal?: AbortSignal): Promise<void> {
  const gitDir = join(checkout, ".git");
  const st = await Deno.lstat(gitDir).catch(() => undefined);
  if (!st?.isDirectory) return; // a `.git` file: not a clone ivpm made
  let tags = await Deno.lstat(join(gitDir, "reftable")).then(() => undefined, () => tagsFromFiles(gitDir));
  if (!tags) {
    // Reftable refs are not plain files: git lists them (its config cannot run a program, see run.ts).
    const out = await git(["for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"], {
      cwd: checkout,
      allowFail: true,
      signal,
    });
    if (out.code !== 0) return;
    tags = new Map();
    for (const line of out.stdout.split("\n")) {
      const [sha, ref] = line.split(" ");
      if (sha && ref) tags.set(ref, sha);
    }
  }
  const lines = [...tags].filter(([ref, sha]) => TAG_REF.test(ref) && SHA.test(sha))
    .map(([ref, sha]) => `${sha} ${ref}\n`);
  await Deno.writeTextFile(join(gitDir, FETCHED_TAGS_FILE), lines.join(""));
}

/**
 * The objects the remote's tags point at, to exclude from "unsaved" commits.
 * The record is read back from disk: only well-formed lines count. Without one
 * (a clone by an older ivpm), the tags in `packed-refs` are taken as the
 * clone's: `git tag` writes a loose ref, so a local tag still saves nothing
 * unless a `git gc` has packed it since.
 */
export async function fetchedTagObjects(checkout: string): Promise<string[]> {
  const gitDir = join(checkout, ".git");
  const record = await readSmall(join(gitDir, FETCHED_TAGS_FILE));
  const shas = new Set<string>();
  if (record !== undefined) {
    for (const line of record.split("\n")) {
      const [sha, ref, extra] = line.split(" ");
      if (extra === undefined && SHA.test(sha) && TAG_REF.test(ref ?? "")) shas.add(sha);
    }
    return [...shas];
  }
  for (const sha of packedTags(await readSmall(join(gitDir, "packed-refs")) ?? "").values()) shas.add(sha);
  return [...shas];
}

/** Tag ref → object, from `packed-refs` and the loose refs under `refs/tags/`. */
async function tagsFromFiles(gitDir: string): Promise<Map<string, string>> {
  const tags = packedTags(await readSmall(join(gitDir, "packed-refs")) ?? "");
  const walk = async (dir: string, ref: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory) await walk(join(dir, e.name), `${ref}/${e.name}`);
      else if (e.isFile) {
        const sha = (await readSmall(join(dir, e.name)))?.trim() ?? "";
        if (SHA.test(sha)) tags.set(`${ref}/${e.name}`, sha);
      }
    }
  };
  await walk(join(gitDir, "refs", "tags"), "refs/tags");
  return tags;
}

function packedTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{40,64}) (refs\/tags\/\S+)$/.exec(line.trim());
    if (m && SHA.test(m[1])) tags.set(m[2], m[1]);
  }
  return tags;
}

/** A regular file's text (at most 64 MiB), or undefined. */
async function readSmall(path: string): Promise<string | undefined> {
  const st = await Deno.lstat(path).catch(() => undefined);
  if (!st?.isFile || st.size > 64 << 20) return undefined;
  return await Deno.readTextFile(path).catch(() => undefined);
}
