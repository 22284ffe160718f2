import { equal, match, ok, rejects } from "node:assert/strict";
import { IvpmError } from "../../../core/base/errors.ts";
import { git } from "../../../core/fetch/git/run.ts";
import { makeRepo } from "../../_helpers/git_fixture.ts";

/** Serves 401 + Basic challenge for every request, like a private https remote. */
function authServer(): { server: Deno.HttpServer<Deno.NetAddr>; url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("unauthorized", {
        status: 401,
        headers: { "WWW-Authenticate": 'Basic realm="private"' },
      }),
  );
  return { server, url: `http://127.0.0.1:${server.addr.port}/x.git` };
}

Deno.test("an auth challenge fails at once with the credentials hint instead of prompting", async () => {
  const { server, url } = authServer();
  const dest = await Deno.makeTempDir();
  try {
    const err = await git(["clone", url, `${dest}/x`]).then(() => undefined, (e) => e);
    ok(err instanceof IvpmError, String(err));
    match(err.message, new RegExp(`^git clone failed for ${url.replace(/[./]/g, "\\$&")}: `));
    match(err.message, /terminal prompts disabled/);
    match(err.hint ?? "", /credentials/);
    match(err.hint ?? "", /-a/);
  } finally {
    await server.shutdown();
    await Deno.remove(dest, { recursive: true });
  }
});

Deno.test("a missing repository says to check the URL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const err = await git(["ls-remote", `file://${dir}/nope.git`]).then(() => undefined, (e) => e);
    ok(err instanceof IvpmError);
    // The cause, not git's generic "Could not read from remote repository" follow-up.
    match(
      err.message,
      new RegExp(
        `^git ls-remote failed for file://${dir}/nope\\.git: .* does not appear to be a git repository$`,
      ),
    );
    match(err.hint ?? "", /check the repository URL/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unknown revision names the working directory and says to check the ref", async () => {
  const root = await Deno.makeTempDir();
  try {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "a" } });
    const err = await git(["-c", "advice.x=false", "checkout", "no-such-branch"], { cwd: repo.path })
      .then(() => undefined, (e) => e);
    ok(err instanceof IvpmError);
    match(err.message, new RegExp(`^git checkout failed for ${repo.path}: .*no-such-branch`));
    match(err.hint ?? "", /branch, tag or commit/);
    const viaC = await git(["-C", repo.path, "checkout", "nope"]).then(() => undefined, (e) => e);
    match(viaC.message, new RegExp(`^git checkout failed for ${repo.path}: `));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("allowFail returns the exit code and stderr instead of throwing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await git(["rev-parse", "HEAD"], { cwd: dir, allowFail: true });
    equal(r.code, 128);
    match(r.stderr, /not a git repository/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a password in the URL is not repeated in the error", async () => {
  // Port 1 on loopback refuses the connection immediately.
  const err = await git(["-c", "http.lowSpeedTime=5", "ls-remote", "https://me:s3cret@127.0.0.1:1/x.git"])
    .then(() => undefined, (e) => e);
  ok(err instanceof IvpmError);
  match(err.message, /^git ls-remote failed for https:\/\/\*\*\*@127\.0\.0\.1:1\/x\.git/);
  ok(!err.message.includes("s3cret"));
});

Deno.test("a missing git executable gives a clear error", async () => {
  const err = await git(["--version"], { env: { PATH: "/nonexistent-dir" } }).then(() => undefined, (e) => e);
  ok(err instanceof IvpmError);
  equal(err.message, "git is not installed (no 'git' executable on PATH)");
});

Deno.test("a missing working directory is not mistaken for a missing git", async () => {
  const err = await git(["status"], { cwd: "/nonexistent-ivpm-dir" }).then(() => undefined, (e) => e);
  ok(err instanceof IvpmError);
  equal(err.message, "cannot run git status in /nonexistent-ivpm-dir: directory not found");
});

Deno.test("git runs with prompts disabled, C locale and batch-mode ssh unless the caller chose an ssh command", async () => {
  const show = [
    "-c",
    'alias.showenv=!printf "%s|%s|%s|%s" "$GIT_TERMINAL_PROMPT" "$GCM_INTERACTIVE" ' +
    '"$LC_ALL" "$GIT_SSH_COMMAND"',
    "showenv",
  ];
  const userSsh = Deno.env.get("GIT_SSH_COMMAND") ?? (Deno.env.get("GIT_SSH") ? "" : "ssh -oBatchMode=yes");
  equal((await git(show)).stdout, `0|never|C|${userSsh}`);
  equal((await git(show, { env: { GIT_SSH_COMMAND: "ssh -i key" } })).stdout, "0|never|C|ssh -i key");
});

Deno.test("an aborted signal stops a hanging git command", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  let requested!: () => void;
  const started = new Promise<void>((r) => requested = r);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    requested();
    await held;
    return new Response("gone", { status: 404 });
  });
  const ac = new AbortController();
  try {
    const run = git(["ls-remote", `http://127.0.0.1:${server.addr.port}/x.git`], { signal: ac.signal });
    await started;
    ac.abort();
    await rejects(run, (e: unknown) => e instanceof DOMException && e.name === "AbortError");
  } finally {
    release();
    await server.shutdown();
  }
});
