/**
 * How ivpm authenticates a git remote: the site config's auth order (`gh`, `ssh`,
 * `https`) decides between a GitHub CLI token, the SSH rewrite and the URL as
 * written; for https, credential providers (a first-result hook) may supply a
 * username and password. Secrets reach git through GIT_ASKPASS and environment
 * variables — never on a command line — and nothing ever prompts.
 *
 * @module
 */

import { join } from "node:path";
import type { CredentialRequest, Credentials } from "../../plugin_api/credentials.ts";
import { toSshUrl } from "./url.ts";

/** Asks providers in order; the first non-null answer wins. */
export type CredentialLookup = (req: CredentialRequest) => Promise<Credentials | null>;

/** Inputs of {@link gitAuth}. */
export interface GitAuthOptions {
  /** Use the URL as written (`-a` / `anonymous: true`): no SSH rewrite, no gh token. */
  anonymous: boolean;
  /** Site config git auth order (default gh → ssh → https). */
  order?: string[];
  credentials?: CredentialLookup;
  /** Finds a GitHub CLI token (default: `gh auth token` when gh is on PATH). */
  ghToken?: () => Promise<string | undefined>;
}

/** The URL to use and the environment git needs for it. */
export interface GitAuth {
  url: string;
  env: Record<string, string>;
  /** How it authenticates: `ssh`, `gh`, `credentials`, `none`. */
  method: string;
}

let askpass: string | undefined;

/** A tiny askpass program answering from IVPM_GIT_USERNAME / IVPM_GIT_PASSWORD (written once per process). */
async function askpassScript(): Promise<string> {
  if (askpass) return askpass;
  const dir = await Deno.makeTempDir({ prefix: "ivpm-askpass-" });
  const file = join(dir, Deno.build.os === "windows" ? "askpass.cmd" : "askpass.sh");
  if (Deno.build.os === "windows") {
    await Deno.writeTextFile(
      file,
      '@echo off\r\necho %1 | findstr /i "username" >nul && (echo %IVPM_GIT_USERNAME%) || (echo %IVPM_GIT_PASSWORD%)\r\n',
    );
  } else {
    await Deno.writeTextFile(
      file,
      '#!/bin/sh\ncase "$1" in\n  *sername*) printf "%s\\n" "$IVPM_GIT_USERNAME" ;;\n  *) printf "%s\\n" "$IVPM_GIT_PASSWORD" ;;\nesac\n',
    );
    await Deno.chmod(file, 0o700);
  }
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* best effort */ }
  });
  askpass = file;
  return file;
}

async function credentialEnv(c: Credentials): Promise<Record<string, string>> {
  return { GIT_ASKPASS: await askpassScript(), IVPM_GIT_USERNAME: c.username, IVPM_GIT_PASSWORD: c.password };
}

let ghToken: Promise<string | undefined> | undefined;

/** `gh auth token`, when the GitHub CLI is installed and logged in (asked once per process). */
export function ghCliToken(): Promise<string | undefined> {
  ghToken ??= readGhToken();
  return ghToken;
}

async function readGhToken(): Promise<string | undefined> {
  try {
    const r = await new Deno.Command("gh", {
      args: ["auth", "token"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    })
      .output();
    const t = new TextDecoder().decode(r.stdout).trim();
    return r.success && t ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Decides how to reach `url`. */
export async function gitAuth(url: string, o: GitAuthOptions): Promise<GitAuth> {
  const m = /^(https?):\/\/(?:[^@/]*@)?([^/:]+)/.exec(url);
  if (!m) {
    return { url, env: {}, method: url.startsWith("git@") || url.startsWith("ssh://") ? "ssh" : "none" };
  }
  const [, protocol, host] = m;
  const https = async (): Promise<GitAuth> => {
    const c = await o.credentials?.({ url, host, protocol });
    return c ? { url, env: await credentialEnv(c), method: "credentials" } : { url, env: {}, method: "none" };
  };
  if (o.anonymous) return await https();
  // A credential provider that answers for this URL is an explicit choice: use https with it
  // before any SSH rewrite.
  const provided = await o.credentials?.({ url, host, protocol });
  if (provided) return { url, env: await credentialEnv(provided), method: "credentials" };
  for (const step of o.order ?? ["gh", "ssh", "https"]) {
    if (step === "gh" && host === "github.com") {
      const token = await (o.ghToken ?? ghCliToken)();
      if (token) {
        return {
          url,
          env: await credentialEnv({ username: "x-access-token", password: token }),
          method: "gh",
        };
      }
    } else if (step === "ssh") {
      return { url: toSshUrl(url), env: {}, method: "ssh" };
    } else if (step === "https") {
      return await https();
    }
  }
  return { url, env: {}, method: "none" };
}
