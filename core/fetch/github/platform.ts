/**
 * The host description that release-asset selection needs: OS, CPU
 * architecture, and on Linux the glibc version and distribution. Selection
 * takes it as an input so every OS can be tested anywhere;
 * {@link detectPlatform} supplies the real one.
 *
 * @module
 */

/** Operating system as `Deno.build.os` names it (`linux`, `darwin`, `windows`, …). */
export type OsName = "linux" | "darwin" | "windows" | (string & Record<never, never>);

/** A Linux distribution from `/etc/os-release`. */
export interface LinuxDistro {
  /** `ID`, lower-case (e.g. `ubuntu`). */
  id: string;
  /** `VERSION_ID` (e.g. `22.04`). */
  versionId: string;
}

/** The platform a release asset must run on. */
export interface Platform {
  os: OsName;
  /** Normalized architecture: `x86_64`, `aarch64`, `armv7l`, or as reported. */
  arch: string;
  /** glibc `[major, minor]`; absent on non-glibc systems (musl) or when unknown. */
  glibc?: readonly [number, number];
  /** Linux distribution, when `/etc/os-release` says. */
  distro?: LinuxDistro;
}

/** Maps architecture aliases to one name: `amd64`/`x64` → `x86_64`, `arm64` → `aarch64`, `armv7*` → `armv7l`. */
export function normalizeArch(machine: string): string {
  const m = machine.trim().toLowerCase();
  if (m === "x86_64" || m === "amd64" || m === "x64") return "x86_64";
  if (m === "aarch64" || m === "arm64" || m === "aarch_64") return "aarch64";
  if (m.startsWith("armv7")) return "armv7l";
  return m;
}

/**
 * Reads the glibc version from `getconf GNU_LIBC_VERSION` (`glibc 2.36`) or `ldd --version`
 * (`ldd (Debian GLIBC 2.36-9) 2.36`) output; undefined for musl and anything else.
 */
export function parseGlibcVersion(text: string): [number, number] | undefined {
  if (!/glibc|gnu libc/i.test(text)) return undefined;
  const m = /(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Extracts `ID` and `VERSION_ID` from `/etc/os-release` text; undefined if either is missing. */
export function parseOsRelease(text: string): LinuxDistro | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1], m[2].replace(/^(["'])(.*)\1$/, "$2"));
  }
  const id = fields.get("ID")?.toLowerCase();
  const versionId = fields.get("VERSION_ID");
  return id && versionId ? { id, versionId } : undefined;
}

let detected: Promise<Platform> | undefined;

/**
 * Describes the running host (cached for the process). On Linux, glibc comes from
 * `getconf`/`ldd` and the distribution from `/etc/os-release`; either may be absent.
 */
export function detectPlatform(): Promise<Platform> {
  detected ??= detect();
  return detected;
}

async function detect(): Promise<Platform> {
  const platform: Platform = { os: Deno.build.os, arch: normalizeArch(Deno.build.arch) };
  if (Deno.build.os !== "linux") return platform;
  const glibc = parseGlibcVersion(await run("getconf", ["GNU_LIBC_VERSION"])) ??
    parseGlibcVersion(await run("ldd", ["--version"]));
  if (glibc) platform.glibc = glibc;
  const distro = parseOsRelease(
    await readText("/etc/os-release") ?? await readText("/usr/lib/os-release") ?? "",
  );
  if (distro) platform.distro = distro;
  return platform;
}

/** Runs a probe command; its stdout+stderr, or "" when it cannot run. */
async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" })
      .output();
    const dec = new TextDecoder();
    return dec.decode(out.stdout) + dec.decode(out.stderr);
  } catch {
    return "";
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}
