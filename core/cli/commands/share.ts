/**
 * `ivpm share [path…]` — prints the path of ivpm's shared data directory,
 * materialising the embedded files there on first use (a compiled binary has no
 * files beside it).
 *
 * @module
 */

import { join } from "node:path";
import { skillMd } from "../assets/skill_md.ts";
import { VERSION } from "../../base/version.ts";
import { outRaw } from "../../ui/log.ts";

/** The per-version share directory (`$XDG_DATA_HOME/ivpm/<version>`). */
export function shareDir(): string {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  const base = Deno.env.get("XDG_DATA_HOME") ?? join(home, ".local", "share");
  return join(base, "ivpm", VERSION);
}

/** Writes the embedded files into the share dir when missing; returns its path. */
export function ensureShareDir(): string {
  const dir = shareDir();
  const skill = join(dir, "skill.md");
  try {
    Deno.statSync(skill);
  } catch {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(skill, skillMd);
  }
  return dir;
}

/** Runs `ivpm share`: the path, `/`-separated, with no trailing newline (scripts use it in $(…)). */
export function share(parts: string[]): void {
  outRaw([ensureShareDir(), ...parts].join("/"));
}
