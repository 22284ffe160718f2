/**
 * What a release asset's file name says about the platform it was built for.
 * All functions take the name in any case.
 *
 * @module
 */

import { normalizeArch } from "./platform.ts";

const CHECKSUM_SIG_EXTS = [
  ".sha256",
  ".sha512",
  ".sha1",
  ".sha",
  ".md5",
  ".asc",
  ".sig",
  ".sign",
  ".pem",
  ".minisig",
  ".cert",
];

/** Whether the asset is a checksum or signature companion (`foo.tar.gz.sha256`), never a download. */
export function isChecksumOrSignature(name: string): boolean {
  const n = name.toLowerCase();
  return CHECKSUM_SIG_EXTS.some((ext) => n.endsWith(ext));
}

/** A distribution-specific Linux build, e.g. `ubuntu-22.04-x86_64`. */
export interface DistroTag {
  distro: string;
  version: string;
  arch: string;
}

/** Parses `(ubuntu|debian|fedora|centos|rhel|alpine)[-_]<ver>[-_]<arch>` out of a name. */
export function parseDistroTag(name: string): DistroTag | undefined {
  const m = /(ubuntu|debian|fedora|centos|rhel|alpine)[_-](\d+(?:\.\d+)?)[_-]([a-z0-9_]+)/.exec(
    name.toLowerCase(),
  );
  return m ? { distro: m[1], version: m[2], arch: normalizeArch(m[3]) } : undefined;
}

/** A manylinux build: the glibc it needs and its architecture. */
export interface ManylinuxTag {
  glibc: [number, number];
  arch: string;
}

/** Parses `manylinux_X_Y_<arch>` and the legacy `manylinux1/2010/2014_<arch>` (glibc 2.5/2.12/2.17). */
export function parseManylinuxTag(name: string): ManylinuxTag | undefined {
  const n = name.toLowerCase();
  const m = /manylinux_(\d+)_(\d+)[_-]([a-z0-9_]+)/.exec(n);
  if (m) return { glibc: [Number(m[1]), Number(m[2])], arch: normalizeArch(archToken(m[3])) };
  const legacy = /manylinux(1|2010|2014)_([a-z0-9_]+)/.exec(n);
  if (!legacy) return undefined;
  const glibc: [number, number] = legacy[1] === "1" ? [2, 5] : legacy[1] === "2010" ? [2, 12] : [2, 17];
  return { glibc, arch: normalizeArch(archToken(legacy[2])) };
}

/** Known architecture spellings; longest first so `aarch_64` wins over a shorter alternative. */
const ARCH_TOKEN_RE = /(?<![a-z0-9])(x86_64|amd64|x64|aarch_64|aarch64|arm64|armv7l|armv7)(?![a-z0-9])/;

/** `x86_64.whl`-style tails: a known arch token if one leads, else the whole token. */
function archToken(token: string): string {
  const m = /^(x86_64|aarch_64|aarch64|arm64|amd64|x64|armv7l|armv7)/.exec(token);
  return m ? m[1] : token;
}

/**
 * Architecture of a generic Linux build (`tool-linux-x86_64.tar.gz`, `tool_linux_arm64.zip`,
 * `tool-linux-static-x86_64.tar.gz`): a known arch token anywhere after `linux[-_]`, else the
 * first token after it; undefined when the name has no `linux[-_]`, and for manylinux/musllinux
 * names (their glibc/musl requirement must be checked, not bypassed as "generic").
 */
export function parseLinuxGenericArch(name: string): string | undefined {
  const n = name.toLowerCase();
  if (/(?:many|musl)linux/.test(n)) return undefined;
  const m = /linux[_-]([a-z0-9_.-]+)/.exec(n);
  if (!m) return undefined;
  const known = ARCH_TOKEN_RE.exec(m[1]);
  if (known) return normalizeArch(known[1]);
  return /^[a-z0-9_]+/.exec(m[1])?.[0];
}

/** Whether the name marks a macOS build (`macos`, `darwin`, `osx`). */
export function isMacName(name: string): boolean {
  return /macos|darwin|osx/.test(name.toLowerCase());
}

/**
 * Whether the name marks a Windows build (`windows`, `win64`, `win32`, `win`). Unlike the
 * original's substring test, `win` must stand alone, so `darwin` is not a Windows build.
 */
export function isWindowsName(name: string): boolean {
  return /(?<![a-z])win(?:dows|64|32)?(?![a-z])/.test(name.toLowerCase());
}

/** Spellings of an architecture in asset names (`aarch64` also `arm64`; `x86_64` also `amd64`, `x64`). */
export function archAliases(arch: string): string[] {
  if (arch === "aarch64") return ["aarch64", "arm64"];
  if (arch === "x86_64") return ["x86_64", "amd64", "x64"];
  return [arch];
}

/** Whether the name looks platform-specific (any of the patterns above). */
export function isBinaryName(name: string): boolean {
  return parseDistroTag(name) !== undefined || parseManylinuxTag(name) !== undefined ||
    parseLinuxGenericArch(name) !== undefined || isMacName(name) || isWindowsName(name);
}
