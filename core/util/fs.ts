/**
 * Small file-system helpers shared across ivpm.
 *
 * @module
 */

import { dirname, join } from "node:path";

/** Writes a file via a temp file + rename so readers never see it half-written. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** `lstat` that returns undefined instead of throwing NotFound. */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Synchronous `lstat` that returns undefined for a path that cannot be inspected. */
export function lstatSyncOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The bytes of `path` when it is a regular file (after links), read synchronously: for the few small
 * files a caller reads per package, where async calls cost more than the reads. `"not-regular"` when it
 * exists but is not one (opening a FIFO would block); undefined when it is absent or unreadable.
 */
export function readRegularFileSync(path: string): Uint8Array | "not-regular" | undefined {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(path);
  } catch {
    return undefined;
  }
  if (!st.isFile) return "not-regular";
  try {
    return Deno.readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Removes a path (file, symlink or directory tree), restoring write bits a read-only tree may lack. */
export async function removeTree(path: string): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (!st) return;
  if (st.isDirectory) {
    try {
      await Deno.remove(path, { recursive: true });
      return;
    } catch (e) {
      if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    }
    await makeWritable(path);
  }
  await Deno.remove(path, { recursive: true });
}

async function makeWritable(dir: string): Promise<void> {
  await Deno.chmod(dir, 0o755).catch(() => {});
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) await makeWritable(join(dir, e.name));
  }
}

/** Recursively copies a directory, keeping symlinks as symlinks. */
export async function copyTree(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    const s = join(src, e.name), d = join(dest, e.name);
    if (e.isSymlink) await Deno.symlink(await Deno.readLink(s), d);
    else if (e.isDirectory) await copyTree(s, d);
    else {
      await Deno.copyFile(s, d);
    }
  }
}
