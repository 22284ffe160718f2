import { equal } from "node:assert/strict";
import { matchesGlob } from "../../../core/fetch/github/glob.ts";

Deno.test("shell patterns match as fnmatch does", () => {
  const cases: [string, string, boolean][] = [
    ["tool-linux-x86_64.tar.gz", "*linux*", true],
    ["tool-linux-x86_64.tar.gz", "*.zip", false],
    ["tool-1.tar.gz", "tool-?.tar.gz", true],
    ["tool-10.tar.gz", "tool-?.tar.gz", false],
    ["tool-a.zip", "tool-[abc].zip", true],
    ["tool-d.zip", "tool-[abc].zip", false],
    ["tool-d.zip", "tool-[!abc].zip", true],
    ["tool-5.zip", "tool-[0-9].zip", true],
    ["tool+x(1).zip", "tool+x(1).zip", true],
    ["toolXzip", "tool.zip", false],
    ["a[b", "a[b", true],
    ["a]", "a[]]", true],
    ["a^", "a[^]", true],
    ["Tool.zip", "tool.zip", false],
  ];
  for (const [name, glob, want] of cases) equal(matchesGlob(name, glob), want, `${name} ~ ${glob}`);
});
