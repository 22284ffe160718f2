/**
 * Issue 18, item 14: every spelling under which a file system opens git's own directory `.git` is
 * recognised, and names that merely look alike are not.
 */
import assert from "node:assert/strict";
import { isGitDirName } from "../../core/util/path.ts";

Deno.test("isGitDirName: '.git' in any case, its 8.3 short names and the NTFS and HFS+ aliases", () => {
  const aliases = [
    ".git",
    // Case-insensitive file systems (macOS APFS/HFS+ by default, NTFS, FAT).
    ".GIT",
    ".Git",
    ".gIT",
    // Windows 8.3 short names: `.git` is GIT~1, or GIT~2… when another `git*` name took GIT~1.
    "GIT~1",
    "git~1",
    "Git~1",
    "GIT~2",
    "git~9",
    "GIT~10",
    // Win32 drops trailing dots and spaces: these create and open `.git`.
    ".git.",
    ".git ",
    ".GIT. .",
    "GIT~1.",
    "git~1 ",
    // NTFS alternate data streams name the file itself.
    ".git::$INDEX_ALLOCATION",
    ".git:stream",
    "GIT~1::$INDEX_ALLOCATION",
    ".GIT. ::$DATA",
    // HFS+ ignores these code points when it compares names.
    ".g\u200cit",
    ".\u200dgit",
    ".gi\u200et",
    ".git\u200f",
    ".G\u202aIT",
    ".git\ufeff",
    ".g\u206ait",
  ];
  for (const name of aliases) assert.equal(isGitDirName(name), true, JSON.stringify(name));
});

Deno.test("isGitDirName: names that only look like '.git' are ordinary names", () => {
  const others = [
    "",
    "git",
    "GIT",
    ".gi",
    ".gitt",
    ".github",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    ".git-blame-ignore-revs",
    "..git",
    " .git", // leading spaces are kept by Windows
    "x.git",
    ".git~1",
    "git~",
    "git~a",
    "git~1a",
    "git1",
    "git-1",
    "GITHUB~1",
    "GI~1",
    "libA",
  ];
  for (const name of others) assert.equal(isGitDirName(name), false, JSON.stringify(name));
});
