import { deepEqual, equal, ok } from "node:assert/strict";
import {
  detectPlatform,
  normalizeArch,
  parseGlibcVersion,
  parseOsRelease,
} from "../../../core/fetch/github/platform.ts";
import { releaseCacheKey } from "../../../core/fetch/github/cache_key.ts";

Deno.test("architecture aliases collapse to one name", () => {
  const cases: [string, string][] = [
    ["amd64", "x86_64"],
    ["X86_64", "x86_64"],
    ["x64", "x86_64"],
    ["arm64", "aarch64"],
    ["aarch64", "aarch64"],
    ["armv7l", "armv7l"],
    ["armv7hf", "armv7l"],
    ["riscv64", "riscv64"],
  ];
  for (const [input, want] of cases) equal(normalizeArch(input), want, input);
});

Deno.test("glibc version is read from getconf and ldd output, not from musl's", () => {
  deepEqual(parseGlibcVersion("glibc 2.36\n"), [2, 36]);
  deepEqual(parseGlibcVersion("ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright (C) 2022"), [2, 36]);
  deepEqual(parseGlibcVersion("ldd (GNU libc) 2.39\n"), [2, 39]);
  equal(parseGlibcVersion("musl libc (x86_64)\nVersion 1.2.4\n"), undefined);
  equal(parseGlibcVersion(""), undefined);
});

Deno.test("os-release gives the distribution id and version", () => {
  const text =
    'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';
  deepEqual(parseOsRelease(text), { id: "ubuntu", versionId: "22.04" });
  deepEqual(parseOsRelease("ID='Fedora'\nVERSION_ID=40"), { id: "fedora", versionId: "40" });
  equal(parseOsRelease("ID=arch\n"), undefined); // rolling release: no VERSION_ID
});

Deno.test("detectPlatform describes this host", async () => {
  const p = await detectPlatform();
  equal(p.os, Deno.build.os);
  equal(p.arch, normalizeArch(Deno.build.arch));
  if (p.os === "linux") {
    const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
    deepEqual(p.distro, parseOsRelease(osRelease));
    const ldd = await new Deno.Command("ldd", { args: ["--version"], stdout: "piped", stderr: "piped" })
      .output()
      .then((o) => new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr)).catch(() => "");
    const fromLdd = parseGlibcVersion(ldd);
    if (fromLdd) deepEqual(p.glibc, fromLdd);
  }
  ok(await detectPlatform() === p, "the result is cached");
});

Deno.test("the cache key is <tag>_<os>_<arch>, safe as a directory name", () => {
  equal(releaseCacheKey("v1.2.3", { os: "linux", arch: "x86_64" }), "v1.2.3_linux_x86_64");
  equal(releaseCacheKey("release/1.0", { os: "darwin", arch: "aarch64" }), "release_1.0_darwin_aarch64");
});
