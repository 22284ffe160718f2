import { deepEqual } from "node:assert/strict";
import { effectiveGitUrl, parseGithubUrl, toSshUrl } from "../../../core/fetch/git/url.ts";

Deno.test("toSshUrl rewrites scheme URLs to scp-like SSH and leaves the rest alone", () => {
  const table: [string, string][] = [
    ["https://github.com/org/repo.git", "git@github.com:org/repo.git"],
    ["http://gitlab.example.com/group/sub/repo.git", "git@gitlab.example.com:group/sub/repo.git"],
    ["https://user:token@github.com/org/repo.git", "git@github.com:org/repo.git"],
    ["https://git.example.com:8443/org/repo", "git@git.example.com:org/repo"],
    ["git://example.com/repo.git", "git@example.com:repo.git"],
    ["file:///tmp/repos/repo.git", "file:///tmp/repos/repo.git"],
    ["FILE:///tmp/repos/repo.git", "FILE:///tmp/repos/repo.git"],
    ["git@github.com:org/repo.git", "git@github.com:org/repo.git"],
    ["ssh://git@host:2222/org/repo.git", "ssh://git@host:2222/org/repo.git"],
    ["/srv/git/repo.git", "/srv/git/repo.git"],
    ["../relative/repo", "../relative/repo"],
    ["https://github.com", "https://github.com"],
  ];
  for (const [input, expected] of table) deepEqual(toSshUrl(input), expected, input);
});

Deno.test("effectiveGitUrl keeps the URL as written only when anonymous", () => {
  deepEqual(effectiveGitUrl("https://github.com/o/r.git", { anonymous: true }), "https://github.com/o/r.git");
  deepEqual(effectiveGitUrl("https://github.com/o/r.git", { anonymous: false }), "git@github.com:o/r.git");
  deepEqual(effectiveGitUrl("file:///x/r.git", { anonymous: false }), "file:///x/r.git");
});

Deno.test("parseGithubUrl strips only the .git suffix, so a repo named test stays test", () => {
  deepEqual(parseGithubUrl("https://github.com/org/test.git"), { owner: "org", repo: "test" });
  deepEqual(parseGithubUrl("https://github.com/org/test"), { owner: "org", repo: "test" });
  deepEqual(parseGithubUrl("git@github.com:org/test.git"), { owner: "org", repo: "test" });
  deepEqual(parseGithubUrl("https://github.com/org/tig.git/"), { owner: "org", repo: "tig" });
});

Deno.test("parseGithubUrl understands https, ssh, scp-like forms and extra path segments", () => {
  const table: [string, { owner: string; repo: string } | undefined][] = [
    ["https://github.com/o/r/", { owner: "o", repo: "r" }],
    ["http://www.github.com/o/r", { owner: "o", repo: "r" }],
    ["https://x-token:abc@github.com/o/r.git", { owner: "o", repo: "r" }],
    ["ssh://git@github.com/o/r.git", { owner: "o", repo: "r" }],
    ["git@github.com:o/my.tool.git", { owner: "o", repo: "my.tool" }],
    ["https://github.com/o/r/releases/tag/v1", { owner: "o", repo: "r" }],
    ["https://GitHub.com/O/R", { owner: "O", repo: "R" }],
    ["https://gitlab.com/o/r.git", undefined],
    ["git@gitlab.com:o/r.git", undefined],
    ["https://github.com/o", undefined],
    ["https://github.com/o/.git", undefined],
    ["/local/path/r.git", undefined],
  ];
  for (const [input, expected] of table) deepEqual(parseGithubUrl(input), expected, input);
});
