/**
 * Sealing what ivpm remembers in `packages/ivpm.json` and obeys on the next run
 * (the parsed ivpm.yaml, each package's parsed ivpm.yaml and leaf results).
 *
 * `ivpm.json` lives in the deps dir, which plugins write to and people edit, so
 * a plain checksum would prove nothing: whoever changes a section can recompute
 * it. A seal is an HMAC with a per-user secret key kept outside every project
 * (`~/.local/state/ivpm/state-key`, `%LOCALAPPDATA%\ivpm\state-key` on Windows),
 * where a plugin's sandbox cannot read it. A section whose seal does not verify
 * was not written by ivpm for this user: it is ignored and the work redone.
 *
 * The key belongs to the OS user running ivpm, not to one update's environment,
 * so it is found from the process's home directory.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isWithin } from "../util/path.ts";

/** Bytes of the secret key. */
const KEY_BYTES = 32;

/** Keys read in this process, by path (`null`: none usable there). */
const keys = new Map<string, Uint8Array | null>();

/** Where this user's key lives. */
export function stateKeyPath(os: string = Deno.build.os): string {
  if (os === "windows") {
    const local = Deno.env.get("LOCALAPPDATA");
    return join(local || join(homedir(), "AppData", "Local"), "ivpm", "state-key");
  }
  const xdg = Deno.env.get("XDG_STATE_HOME");
  // The XDG spec says a relative value is invalid and must be ignored.
  return join(xdg && xdg.startsWith("/") ? xdg : join(homedir(), ".local", "state"), "ivpm", "state-key");
}

/**
 * This user's key, created on first use; undefined when there is none to be had (no writable home)
 * or the one there could be read by others — nothing is then remembered, every run does the full work.
 */
export function stateKey(path: string = stateKeyPath()): Uint8Array | undefined {
  let key = keys.get(path);
  if (key === undefined) {
    key = readKey(path) ?? (createKey(path) ? readKey(path) : undefined) ?? null;
    keys.set(path, key);
  }
  return key ?? undefined;
}

function readKey(path: string): Uint8Array | undefined {
  try {
    const st = Deno.lstatSync(path);
    if (!st.isFile || st.size !== KEY_BYTES) return undefined;
    // Readable by other users (or a group), it could seal for them: refuse it.
    if (st.mode !== null && (st.mode & 0o077) !== 0) return undefined;
    const bytes = Deno.readFileSync(path);
    return bytes.length === KEY_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the key atomically (another ivpm may be creating it too); whether a key is there now. */
function createKey(path: string): boolean {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    Deno.writeFileSync(tmp, crypto.getRandomValues(new Uint8Array(KEY_BYTES)), {
      createNew: true,
      mode: 0o600,
    });
    try {
      Deno.linkSync(tmp, path); // fails when another process linked its key first: that one is used
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    try {
      Deno.removeSync(tmp);
    } catch {
      // never created
    }
  }
}

/**
 * The key to seal the state of `projectDir` with; undefined when there is none, or when it lies inside
 * the project (a home directory used as a project): the project's plugins may read the project.
 */
export function projectStateKey(projectDir: string, path: string = stateKeyPath()): Uint8Array | undefined {
  return isWithin(resolve(path), resolve(projectDir)) ? undefined : stateKey(path);
}

/** A sealed section as stored: the seal and the value it covers. */
export interface Sealed {
  seal: string;
  value: unknown;
}

function macOf(key: Uint8Array, file: string, section: string, json: string): string {
  // The file and section are covered too: a sealed section copied from elsewhere does not verify.
  return createHmac("sha256", key).update(`${file}\0${section}\0`).update(json).digest("hex");
}

/** Seals `value` as section `section` of the state file `file`. */
export function seal(key: Uint8Array, file: string, section: string, value: unknown): Sealed {
  return { seal: macOf(key, file, section, JSON.stringify(value)), value };
}

/**
 * The value of a sealed section when its seal verifies; `"absent"` when there is nothing (or nothing
 * sealed) there, `"invalid"` when it is not what ivpm wrote for this user.
 */
export function unseal(
  key: Uint8Array | undefined,
  file: string,
  section: string,
  stored: unknown,
): { value: unknown } | "absent" | "invalid" {
  if (stored === undefined) return "absent";
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return "invalid";
  const s = stored as Record<string, unknown>;
  // Written unsealed (by an older ivpm): nothing vouches for it, so it is not used; nothing to report.
  if (!("seal" in s)) return "absent";
  if (typeof s.seal !== "string" || !("value" in s)) return "invalid";
  // No key now (an unwritable home): what was sealed cannot be checked, so it is simply not used.
  if (!key) return "absent";
  // JSON.stringify of what JSON.parse read gives back the text the writer sealed.
  const want = Buffer.from(macOf(key, file, section, JSON.stringify(s.value)), "hex");
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(s.seal) ? s.seal : "", "hex");
  return got.length === want.length && timingSafeEqual(got, want) ? { value: s.value } : "invalid";
}
