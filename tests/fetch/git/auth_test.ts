import assert from "node:assert/strict";
import { gitAuth } from "../../../core/fetch/git/auth.ts";
import { git, withGitEnv } from "../../../core/fetch/git/mod.ts";

Deno.test("auth order: ssh rewrite by default, gh token for github when available, https with credentials", async () => {
  const noGh = () => Promise.resolve(undefined);
  const ssh = await gitAuth("https://github.com/org/repo.git", { anonymous: false, ghToken: noGh });
  assert.deepEqual([ssh.url, ssh.method], ["git@github.com:org/repo.git", "ssh"]);
  const gh = await gitAuth("https://github.com/org/repo.git", {
    anonymous: false,
    ghToken: () => Promise.resolve("tok"),
  });
  assert.equal(gh.method, "gh");
  assert.equal(gh.url, "https://github.com/org/repo.git");
  assert.equal(gh.env.IVPM_GIT_PASSWORD, "tok");
  const creds = (req: { host: string }) =>
    Promise.resolve(req.host === "git.acme.com" ? { username: "ci", password: "s3cret" } : null);
  const https = await gitAuth("https://git.acme.com/hw/uart.git", {
    anonymous: false,
    order: ["https"],
    credentials: creds,
  });
  assert.deepEqual([https.url, https.method, https.env.IVPM_GIT_USERNAME], [
    "https://git.acme.com/hw/uart.git",
    "credentials",
    "ci",
  ]);
  // A provider answering for the URL wins over the default SSH rewrite (installing one is an explicit choice).
  const provided = await gitAuth("https://git.acme.com/hw/uart.git", {
    anonymous: false,
    credentials: creds,
    ghToken: noGh,
  });
  assert.deepEqual([provided.url, provided.method], ["https://git.acme.com/hw/uart.git", "credentials"]);
  const other = await gitAuth("https://git.other.com/x.git", {
    anonymous: false,
    credentials: creds,
    ghToken: noGh,
  });
  assert.deepEqual([other.url, other.method], ["git@git.other.com:x.git", "ssh"]);
  // -a: the URL as written; providers may still answer.
  const anon = await gitAuth("https://git.acme.com/x.git", { anonymous: true, credentials: creds });
  assert.equal(anon.method, "credentials");
  const local = await gitAuth("file:///tmp/x.git", { anonymous: false });
  assert.deepEqual([local.url, local.method], ["file:///tmp/x.git", "none"]);
});

Deno.test("credentials reach git through the askpass program, never a prompt or the command line", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const auth = req.headers.get("authorization");
    if (auth) seen.push(atob(auth.replace(/^Basic /, "")));
    return auth
      ? new Response("no repo here", { status: 404 })
      : new Response("auth", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="git"' } });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/hw/uart.git`;
    const a = await gitAuth(url, {
      anonymous: true,
      credentials: () => Promise.resolve({ username: "ci", password: "s3cret" }),
    });
    const r = await withGitEnv(a.env, () => git(["ls-remote", url], { allowFail: true }));
    assert.notEqual(r.code, 0);
    assert.deepEqual(seen, ["ci:s3cret"]);
  } finally {
    await server.shutdown();
  }
});
