import { deepEqual, equal, match } from "node:assert/strict";
import { selectAsset, type SelectAssetOptions } from "../../../core/fetch/github/select_asset.ts";
import type { Platform } from "../../../core/fetch/github/platform.ts";
import type { GitHubRelease } from "../../../core/fetch/github/types.ts";
import { catchIvpmError } from "../../_helpers/catch_ivpm_error.ts";

const DL = "https://github.com/o/r/releases/download/v1.0";

function release(names: string[], sources = true): GitHubRelease {
  return {
    tagName: "v1.0",
    prerelease: false,
    draft: false,
    assets: names.map((name) => ({ name, url: `${DL}/${name}` })),
    tarballUrl: sources ? "https://api.github.com/repos/o/r/tarball/v1.0" : undefined,
    zipballUrl: sources ? "https://api.github.com/repos/o/r/zipball/v1.0" : undefined,
  };
}

const UBUNTU_22: Platform = {
  os: "linux",
  arch: "x86_64",
  glibc: [2, 35],
  distro: { id: "ubuntu", versionId: "22.04" },
};
const DEBIAN_12: Platform = {
  os: "linux",
  arch: "x86_64",
  glibc: [2, 36],
  distro: { id: "debian", versionId: "12" },
};
const LINUX_ARM: Platform = { os: "linux", arch: "aarch64", glibc: [2, 31] };
const MAC_ARM: Platform = { os: "darwin", arch: "aarch64" };
const MAC_INTEL: Platform = { os: "darwin", arch: "x86_64" };
const WIN: Platform = { os: "windows", arch: "x86_64" };

function pick(names: string[], platform: Platform, extra: Partial<SelectAssetOptions> = {}) {
  return selectAsset(release(names), { platform, repo: "o/r", ...extra });
}

Deno.test("a Linux distribution-specific asset must match the distribution exactly", () => {
  const names = [
    "tool-ubuntu-20.04-x86_64.tar.gz",
    "tool-ubuntu-22.04-x86_64.tar.gz",
    "tool-ubuntu-22.04-aarch64.tar.gz",
    "tool-manylinux_2_17_x86_64.tar.gz",
  ];
  deepEqual(pick(names, UBUNTU_22), {
    name: "tool-ubuntu-22.04-x86_64.tar.gz",
    url: `${DL}/tool-ubuntu-22.04-x86_64.tar.gz`,
    apiUrl: undefined,
    kind: "tar.gz",
    source: false,
  });
  const err = catchIvpmError(() => pick(names, DEBIAN_12));
  equal(err.message, "No asset of release v1.0 of o/r is built for debian-12-x86_64");
  equal(
    err.hint,
    "available: ubuntu-20.04-x86_64, ubuntu-22.04-aarch64, ubuntu-22.04-x86_64; " +
      "set source: true to use the source archive, or file: to pick one",
  );
});

Deno.test("distribution-specific assets with an unknown distribution ask for source: true", () => {
  const err = catchIvpmError(() => pick(["tool-debian-12-x86_64.zip"], { os: "linux", arch: "x86_64" }));
  match(err.message, /distribution is unknown/);
  match(err.hint ?? "", /debian-12-x86_64.*source: true/);
});

Deno.test("manylinux picks the highest glibc not newer than the host's", () => {
  const names = [
    "tool-manylinux2014_x86_64.tar.gz",
    "tool-manylinux_2_28_x86_64.tar.gz",
    "tool-manylinux_2_34_x86_64.tar.gz",
    "tool-manylinux_2_39_x86_64.tar.gz",
    "tool-manylinux_2_34_aarch64.tar.gz",
  ];
  equal(
    pick(names, { os: "linux", arch: "x86_64", glibc: [2, 36] }).name,
    "tool-manylinux_2_34_x86_64.tar.gz",
  );
  equal(
    pick(names, { os: "linux", arch: "x86_64", glibc: [2, 27] }).name,
    "tool-manylinux2014_x86_64.tar.gz",
  );
  equal(
    pick(names, { os: "linux", arch: "x86_64", glibc: [3, 0] }).name,
    "tool-manylinux_2_39_x86_64.tar.gz",
  );
  // The only aarch64 build needs glibc 2.34; the host has 2.31.
  equal(
    catchIvpmError(() => pick(names, LINUX_ARM)).message,
    "No manylinux asset of release v1.0 of o/r fits arch=aarch64 glibc=2.31",
  );

  const err = catchIvpmError(() => pick(names, { os: "linux", arch: "x86_64", glibc: [2, 12] }));
  equal(err.message, "No manylinux asset of release v1.0 of o/r fits arch=x86_64 glibc=2.12");
  match(err.hint ?? "", /manylinux_2_17_x86_64, manylinux_2_28_x86_64/);
});

Deno.test("generic linux-<arch> assets are used when there is no manylinux match", () => {
  const names = [
    "tool-1.0-darwin-arm64.tar.gz",
    "tool-1.0-linux-x86_64.tar.gz",
    "tool-1.0-linux_arm64.zip",
    "tool-1.0-windows-amd64.zip",
  ];
  equal(pick(names, UBUNTU_22).name, "tool-1.0-linux-x86_64.tar.gz");
  deepEqual(pick(names, LINUX_ARM), {
    name: "tool-1.0-linux_arm64.zip",
    url: `${DL}/tool-1.0-linux_arm64.zip`,
    apiUrl: undefined,
    kind: "zip",
    source: false,
  });
  equal(
    pick(["verible-v0.0-4294-linux-static-x86_64.tar.gz"], UBUNTU_22).name,
    "verible-v0.0-4294-linux-static-x86_64.tar.gz",
  );
});

Deno.test("a musl host without glibc skips manylinux and uses a generic asset", () => {
  const names = ["tool-manylinux_2_17_x86_64.tar.gz", "tool-linux-x64-musl.tar.gz"];
  equal(pick(names, { os: "linux", arch: "x86_64" }).name, "tool-linux-x64-musl.tar.gz");
});

Deno.test("no Linux asset for the arch names arch, glibc and the assets", () => {
  const err = catchIvpmError(() => pick(["tool-linux-x86_64.tar.gz", "tool-macos.zip"], LINUX_ARM));
  equal(err.message, "No Linux asset of release v1.0 of o/r fits arch=aarch64 glibc=2.31");
  equal(
    err.hint,
    "available assets: tool-linux-x86_64.tar.gz, tool-macos.zip; " +
      "set source: true to use the source archive, or file: to pick an asset",
  );
});

Deno.test("macOS arm64 matches an aarch64 asset and falls back to any macOS asset", () => {
  const names = ["tool-macos-x86_64.tar.gz", "tool-macos-aarch64.tar.gz", "tool-linux-x86_64.tar.gz"];
  equal(pick(names, MAC_ARM).name, "tool-macos-aarch64.tar.gz");
  equal(pick(names, MAC_INTEL).name, "tool-macos-x86_64.tar.gz");
  equal(pick(["tool-darwin-arm64.tgz"], MAC_ARM).kind, "tar.gz");
  equal(pick(["tool-osx-universal.zip", "tool-linux-x86_64.tar.gz"], MAC_ARM).name, "tool-osx-universal.zip");
  equal(pick(["tool-macos-arm64.zip", "tool-macos-x64.zip"], MAC_INTEL).name, "tool-macos-x64.zip");
  const err = catchIvpmError(() => pick(["tool-linux-x86_64.tar.gz"], MAC_ARM));
  equal(err.message, "No macOS asset for aarch64 in release v1.0 of o/r");
});

Deno.test("Windows x86_64 matches an amd64 asset and never a darwin one", () => {
  const names = ["tool-darwin-amd64.tar.gz", "tool-windows-arm64.zip", "tool-windows-amd64.zip"];
  equal(pick(names, WIN).name, "tool-windows-amd64.zip");
  equal(pick(["tool-win64.zip", "tool-linux-x86_64.tar.gz"], WIN).name, "tool-win64.zip");
  equal(pick(["tool-x86_64-pc-windows-msvc.zip"], WIN).kind, "zip");
  const err = catchIvpmError(() => pick(["tool-darwin-amd64.tar.gz"], WIN));
  equal(err.message, "No Windows asset for x86_64 in release v1.0 of o/r");
});

Deno.test("checksum and signature files are never selected", () => {
  const names = [
    "tool-linux-x86_64.tar.gz.sha256",
    "tool-linux-x86_64.tar.gz.asc",
    "tool-linux-x86_64.tar.gz.minisig",
    "tool-linux-x86_64.tar.gz",
  ];
  equal(pick(names, UBUNTU_22).name, "tool-linux-x86_64.tar.gz");
  // Only companions left: nothing looks like a build, so the source archive is used.
  equal(pick(names.slice(0, 3), UBUNTU_22).source, true);
});

Deno.test("file: keeps assets by prefix or shell pattern before platform selection", () => {
  const names = ["cli-linux-x86_64.tar.gz", "lib-linux-x86_64.tar.gz", "cli-macos-arm64.tar.gz"];
  equal(pick(names, UBUNTU_22, { file: "lib" }).name, "lib-linux-x86_64.tar.gz");
  equal(pick(names, UBUNTU_22, { file: "*-linux-*.tar.gz" }).name, "cli-linux-x86_64.tar.gz");
  equal(pick(names, MAC_ARM, { file: "cli-[lm]*" }).name, "cli-macos-arm64.tar.gz");
  equal(pick(names, UBUNTU_22, { file: "lib-linux-x86_64.tar.?z" }).name, "lib-linux-x86_64.tar.gz");

  const err = catchIvpmError(() => pick(names, UBUNTU_22, { file: "*.zip" }));
  equal(err.message, "No asset of release v1.0 of o/r matches file '*.zip'");
  match(err.hint ?? "", /available assets: cli-linux-x86_64\.tar\.gz, lib-linux-x86_64\.tar\.gz/);
});

Deno.test("file: naming one platform-neutral asset selects it, not the source archive", () => {
  const names = ["tool-1.0.jar", "docs.zip"];
  deepEqual(pick(names, UBUNTU_22, { file: "tool-*.jar" }), {
    name: "tool-1.0.jar",
    url: `${DL}/tool-1.0.jar`,
    apiUrl: undefined,
    kind: "jar",
    source: false,
  });
  const err = catchIvpmError(() => pick(["a.zip", "ab.zip"], UBUNTU_22, { file: "a" }));
  equal(err.message, "File 'a' matches several assets of release v1.0 of o/r: a.zip, ab.zip");
});

Deno.test("source: true and releases without builds use the tarball, else the zipball", () => {
  deepEqual(pick(["tool-linux-x86_64.tar.gz"], UBUNTU_22, { source: true }), {
    name: "v1.0.tar.gz",
    url: "https://api.github.com/repos/o/r/tarball/v1.0",
    kind: "tar.gz",
    source: true,
  });
  equal(pick(["tool-1.0.tar.gz"], UBUNTU_22).url, "https://api.github.com/repos/o/r/tarball/v1.0");
  const zipOnly: GitHubRelease = { ...release([]), tarballUrl: undefined };
  deepEqual(selectAsset(zipOnly, { platform: UBUNTU_22 }), {
    name: "v1.0.zip",
    url: "https://api.github.com/repos/o/r/zipball/v1.0",
    kind: "zip",
    source: true,
  });
});

Deno.test("without source archives a single asset is used, several are an error", () => {
  equal(selectAsset(release(["data.bin"], false), { platform: UBUNTU_22 }).kind, "file");
  const err = catchIvpmError(() => selectAsset(release(["a.txt", "b.txt"], false), { platform: UBUNTU_22 }));
  equal(err.message, "No source archive or single asset found in release v1.0");
  equal(err.hint, "available assets: a.txt, b.txt; set file: to pick one");
});

Deno.test("an unsupported OS is reported by name", () => {
  const err = catchIvpmError(() => pick(["tool-linux-x86_64.tar.gz"], { os: "freebsd", arch: "x86_64" }));
  equal(err.message, "Unsupported platform 'freebsd' for GitHub release assets");
  match(err.hint ?? "", /source: true/);
});

Deno.test("archive kinds follow the file name", () => {
  const kinds: [string, string][] = [
    ["t-linux-x86_64.tar.xz", "tar.xz"],
    ["t-linux-x86_64.txz", "tar.xz"],
    ["t-linux-x86_64.tar.bz2", "tar.bz2"],
    ["t-linux-x86_64.tgz", "tar.gz"],
    ["t-linux-x86_64.ZIP", "zip"],
    ["t-linux-x86_64", "file"],
    ["t-linux-x86_64.AppImage", "file"],
  ];
  for (const [name, kind] of kinds) equal(pick([name], UBUNTU_22).kind, kind, name);
});
