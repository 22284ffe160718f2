import { deepEqual, equal } from "node:assert/strict";
import { parseGitHubRepoUrl } from "../../../core/fetch/github/repo_url.ts";
import { catchIvpmError } from "../../_helpers/catch_ivpm_error.ts";

Deno.test("owner and repo come from every usual GitHub URL form", () => {
  const want = { owner: "org", repo: "tool" };
  for (
    const url of [
      "https://github.com/org/tool",
      "https://github.com/org/tool/",
      "https://github.com/org/tool.git",
      "http://www.github.com/org/tool/releases",
      "git@github.com:org/tool.git",
      "github.com/org/tool",
    ]
  ) deepEqual(parseGitHubRepoUrl(url), want, url);
});

Deno.test("only a literal .git suffix is removed", () => {
  deepEqual(parseGitHubRepoUrl("https://github.com/o/test"), { owner: "o", repo: "test" });
  deepEqual(parseGitHubRepoUrl("https://github.com/o/tig.git"), { owner: "o", repo: "tig" });
});

Deno.test("a non-GitHub or incomplete URL is a user error", () => {
  equal(
    catchIvpmError(() => parseGitHubRepoUrl("https://gitlab.com/o/r")).message,
    "GitHub release URL must point at github.com: 'https://gitlab.com/o/r'",
  );
  equal(
    catchIvpmError(() => parseGitHubRepoUrl("https://github.com/o")).message,
    "GitHub URL 'https://github.com/o' does not name a repository",
  );
});
