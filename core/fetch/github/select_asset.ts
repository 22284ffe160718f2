/**
 * Picks the file to download from a chosen release, as the original IVPM does: drop
 * checksum/signature files, apply the `file:` filter, then use the source
 * archive when asked to (or when nothing looks platform-specific), else the
 * asset built for this platform.
 *
 * @module
 */

import { type ArchiveKind, archiveKindFromName } from "../archive/kind.ts";
import { IvpmError } from "../../base/errors.ts";
import {
  archAliases,
  isBinaryName,
  isChecksumOrSignature,
  isMacName,
  isWindowsName,
  parseDistroTag,
  parseLinuxGenericArch,
  parseManylinuxTag,
} from "./asset_names.ts";
import { globToRegExp } from "./glob.ts";
import type { Platform } from "./platform.ts";
import type { GitHubAsset, GitHubRelease } from "./types.ts";

export type { ArchiveKind };

/** How to choose. */
export interface SelectAssetOptions {
  /** The platform the asset must run on (see `detectPlatform()`). */
  platform: Platform;
  /** Keep only assets whose name starts with this or matches it as a shell pattern. */
  file?: string;
  /** Use the tag's source archive instead of a built asset. */
  source?: boolean;
  /** `owner/repo`, used in error messages. */
  repo?: string;
}

/** The file to download. */
export interface SelectedAsset {
  /** File name to save the download as (for a source archive: `<tag>.tar.gz` / `<tag>.zip`). */
  name: string;
  /** Download URL. */
  url: string;
  /** REST URL of a release asset (for private repositories); absent for source archives. */
  apiUrl?: string;
  /** How to unpack it, from the file name. */
  kind: ArchiveKind;
  /** True for the tag's source archive (tarball/zipball). */
  source: boolean;
}

/**
 * Selects the asset of `release` for `options.platform`.
 *
 * Differs from the original where it was wrong: with `file:` naming one asset that does
 * not look platform-specific, that asset is used (the original downloaded the source
 * archive instead); a `darwin` asset is not taken for Windows; a Linux host without glibc
 * (musl) skips manylinux assets instead of failing.
 *
 * @throws IvpmError listing the available assets and suggesting `source: true` or `file:`.
 */
export function selectAsset(release: GitHubRelease, options: SelectAssetOptions): SelectedAsset {
  const ctx = new Context(release, options);
  let assets = release.assets.filter((a) => !isChecksumOrSignature(a.name));

  if (options.file !== undefined) {
    const file = options.file;
    const pattern = globToRegExp(file);
    const matching = assets.filter((a) => a.name.startsWith(file) || pattern.test(a.name));
    if (matching.length === 0) {
      throw ctx.error(`No asset of ${ctx.what} matches file '${file}'`, assets, "fix file:");
    }
    assets = matching;
  }

  if (options.source || !assets.some((a) => isBinaryName(a.name))) {
    if (!options.source && options.file !== undefined) {
      if (assets.length === 1) return fromAsset(assets[0]);
      throw ctx.error(
        `File '${options.file}' matches several assets of ${ctx.what}: ${names(assets)}`,
        undefined,
        "make file: match exactly one asset",
      );
    }
    const src = sourceArchive(release);
    if (src) return src;
    if (assets.length === 1) return fromAsset(assets[0]);
    throw ctx.error(
      `No source archive or single asset found in ${ctx.what}`,
      assets,
      "set file: to pick one",
    );
  }

  const { platform } = options;
  switch (platform.os) {
    case "linux":
      return fromAsset(selectLinux(assets, platform, ctx));
    case "darwin":
      return fromAsset(
        pickByOs(assets, isMacName, platform.arch) ??
          ctx.fail(`No macOS asset for ${platform.arch} in ${ctx.what}`, assets),
      );
    case "windows":
      return fromAsset(
        pickByOs(assets, isWindowsName, platform.arch) ??
          ctx.fail(`No Windows asset for ${platform.arch} in ${ctx.what}`, assets),
      );
    default:
      throw ctx.error(`Unsupported platform '${platform.os}' for GitHub release assets`, assets);
  }
}

/** The tag's source archive: tarball preferred, else zipball. */
function sourceArchive(release: GitHubRelease): SelectedAsset | undefined {
  const tar = release.tarballUrl;
  if (tar) return { name: archiveName(tar, ".tar.gz"), url: tar, kind: "tar.gz", source: true };
  const zip = release.zipballUrl;
  if (zip) return { name: archiveName(zip, ".zip"), url: zip, kind: "zip", source: true };
  return undefined;
}

/** A name for the source archive (checked as a plain file name where it is used: it comes from a URL). */
function archiveName(url: string, ext: string): string {
  const last = new URL(url).pathname.split("/").filter(Boolean).pop() ?? "source";
  let base = last;
  try {
    base = decodeURIComponent(last);
  } catch {
    // A malformed %-escape stays as written.
  }
  return base.endsWith(ext) ? base : base + ext;
}

function fromAsset(a: GitHubAsset): SelectedAsset {
  return { name: a.name, url: a.url, apiUrl: a.apiUrl, kind: archiveKindFromName(a.name), source: false };
}

function selectLinux(assets: GitHubAsset[], platform: Platform, ctx: Context): GitHubAsset {
  const { arch, glibc, distro } = platform;

  // Distribution-specific builds, when offered, must match this system exactly.
  const distroAssets = assets.flatMap((a) => {
    const tag = parseDistroTag(a.name);
    return tag ? [{ tag, a }] : [];
  });
  if (distroAssets.length > 0) {
    const available = [...new Set(distroAssets.map(({ tag }) => `${tag.distro}-${tag.version}-${tag.arch}`))]
      .sort().join(", ");
    const hint = `available: ${available}; set source: true to use the source archive, or file: to pick one`;
    if (!distro) {
      throw new IvpmError(
        `${ctx.What} has distribution-specific Linux assets, but this system's distribution is unknown`,
        { hint },
      );
    }
    const exact = distroAssets.find(({ tag }) =>
      tag.distro === distro.id && tag.version === distro.versionId && tag.arch === arch
    );
    if (exact) return exact.a;
    throw new IvpmError(`No asset of ${ctx.what} is built for ${distro.id}-${distro.versionId}-${arch}`, {
      hint,
    });
  }

  // manylinux builds: the highest glibc not newer than the host's.
  const manylinux = assets.flatMap((a) => {
    const tag = parseManylinuxTag(a.name);
    return tag ? [{ tag, a }] : [];
  });
  if (glibc) {
    let best: { tag: { glibc: [number, number] }; a: GitHubAsset } | undefined;
    for (const c of manylinux) {
      if (c.tag.arch !== arch || cmpGlibc(c.tag.glibc, glibc) > 0) continue;
      if (!best || cmpGlibc(c.tag.glibc, best.tag.glibc) > 0) best = c;
    }
    if (best) return best.a;
  }

  const generic = assets.find((a) => parseLinuxGenericArch(a.name) === arch);
  if (generic) return generic;

  const host = `arch=${arch} glibc=${glibc ? `${glibc[0]}.${glibc[1]}` : "none"}`;
  if (manylinux.length > 0) {
    const tags = [
      ...new Set(manylinux.map(({ tag }) => `manylinux_${tag.glibc[0]}_${tag.glibc[1]}_${tag.arch}`)),
    ]
      .sort().join(", ");
    throw new IvpmError(`No manylinux asset of ${ctx.what} fits ${host}`, {
      hint: `available manylinux tags: ${tags}; set source: true to use the source archive`,
    });
  }
  return ctx.fail(`No Linux asset of ${ctx.what} fits ${host}`, assets);
}

function cmpGlibc(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** First asset for this OS naming the arch (or an alias), else the first asset for this OS. */
function pickByOs(
  assets: GitHubAsset[],
  isOs: (name: string) => boolean,
  arch: string,
): GitHubAsset | undefined {
  const aliases = archAliases(arch);
  const forOs = assets.filter((a) => isOs(a.name));
  return forOs.find((a) => aliases.some((alias) => a.name.toLowerCase().includes(alias))) ?? forOs[0];
}

function names(assets: readonly GitHubAsset[]): string {
  return assets.map((a) => a.name).join(", ");
}

const DEFAULT_FIX = "set source: true to use the source archive, or file: to pick an asset";

/** Names the release in messages and builds the errors. */
class Context {
  readonly what: string;
  readonly What: string;

  constructor(release: GitHubRelease, options: SelectAssetOptions) {
    this.what = `release ${release.tagName}${options.repo ? ` of ${options.repo}` : ""}`;
    this.What = `Release ${release.tagName}${options.repo ? ` of ${options.repo}` : ""}`;
  }

  /** An error whose hint lists `assets` (when given) and then the fix. */
  error(message: string, assets: readonly GitHubAsset[] | undefined, fix = DEFAULT_FIX): IvpmError {
    const listed = assets === undefined
      ? ""
      : assets.length > 0
      ? `available assets: ${names(assets)}; `
      : "the release has no assets; ";
    return new IvpmError(message, { hint: listed + fix });
  }

  fail(message: string, assets: readonly GitHubAsset[]): never {
    throw this.error(message, assets);
  }
}
