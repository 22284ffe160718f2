/**
 * Runs the `git` executable non-interactively: a git that needs a password fails
 * at once instead of waiting on a prompt nobody will answer, and its output is in
 * the C locale so the callers can parse it.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { resolve } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import {
  ALWAYS,
  type ConfigSection,
  localConfig,
  overridesFor,
  withConfigPairs,
  withDefaultUploadPack,
} from "./harden.ts";
import { GitTimeoutError, gitTimeoutMs, LOW_SPEED_LIMIT, LOW_SPEED_TIME } from "./timeout.ts";
import { concatBytes } from "../../util/bytes.ts";

/** Options of {@link git}. */
export interface GitOptions {
  /** Directory git runs in (default: the process's working directory). */
  cwd?: string;
  /** Extra environment variables; they win over the ones this module sets. */
  env?: Record<string, string>;
  /** Return a non-zero exit code instead of throwing. */
  allowFail?: boolean;
  /** Cancels the command (the child is terminated and the signal's reason is thrown). */
  signal?: AbortSignal;
}

/** What one git invocation produced. */
export interface GitResult {
  /** Exit code (non-zero only when `allowFail` was set). */
  code: number;
  /** Standard output, untrimmed. */
  stdout: string;
  /** Standard error, untrimmed. */
  stderr: string;
}

const decoder = new TextDecoder();

/**
 * Runs `git <args>` and returns its output.
 *
 * The environment disables every interactive path (terminal prompts, Git
 * Credential Manager dialogs, SSH passphrase/host-key questions) unless the user
 * chose their own `GIT_SSH_COMMAND`/`GIT_SSH`. The repository's own config
 * cannot make git run a program (hooks, fsmonitor, filters…; see harden.ts),
 * and the command is stopped after `IVPM_GIT_TIMEOUT` seconds (see timeout.ts;
 * read from the {@link withGitEnv} environment, else the process's).
 *
 * @throws {IvpmError} when git is missing, or exits non-zero and `allowFail` is not set.
 */
export async function git(args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const extra = { ...(ambient.getStore() ?? {}), ...(opts.env ?? {}) };
  // Read once per call: `ivpm status` makes a call per package.
  const processEnv = baseEnv();
  const limit = gitTimeoutMs({ IVPM_GIT_TIMEOUT: processEnv.IVPM_GIT_TIMEOUT, ...extra });
  // Without a directory (clone, ls-remote of a URL) git reads no repository's config.
  const dir = repoDirOf(args, opts.cwd);
  const local = dir === undefined
    ? { sections: [], uploadPack: false }
    : await localConfig(dir, listLocalKeys).catch(() => ({ sections: [], uploadPack: false }));
  const env = hardenedEnv(gitEnv(processEnv, opts.env), { ...processEnv, ...extra }, local.sections);
  if (local.uploadPack) args = withDefaultUploadPack(args, subcommandIndex(args));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("git", {
      args,
      cwd: opts.cwd,
      env: { ...processEnv, ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    // Spawning also reports NotFound for a missing working directory: do not blame git for that.
    if (e instanceof Deno.errors.NotFound && opts.cwd !== undefined && !await isDir(opts.cwd)) {
      throw new IvpmError(`cannot run git ${subcommand(args) ?? ""} in ${opts.cwd}: directory not found`, {
        cause: e,
      });
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new IvpmError("git is not installed (no 'git' executable on PATH)", {
        hint: "install git and make sure it is on PATH",
        cause: e,
      });
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new IvpmError(`cannot run git: ${(e as Error).message}`, {
        hint: "run ivpm with --allow-run (or --allow-all)",
        cause: e,
      });
    }
    throw e;
  }
  // Past the time limit the command is stopped like a cancelled one.
  const expired = new AbortController();
  const timer = limit === undefined ? undefined : setTimeout(() => expired.abort(), limit);
  const stop = signal ? AbortSignal.any([signal, expired.signal]) : expired.signal;
  // On abort, stop reading instead of waiting for EOF: git's helpers (git-remote-http, ssh)
  // inherit the pipes and may outlive the killed git for as long as their network call lasts.
  const kill = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
  };
  stop.addEventListener("abort", kill, { once: true });
  let code: number;
  let stdout: Uint8Array;
  let stderr: Uint8Array;
  try {
    [{ code }, stdout, stderr] = await Promise.all([
      child.status,
      readAll(child.stdout, stop),
      readAll(child.stderr, stop),
    ]);
  } finally {
    stop.removeEventListener("abort", kill);
    clearTimeout(timer);
  }
  if (signal?.aborted) throw signal.reason;
  if (expired.signal.aborted) {
    const target = redactUrl(findUrl(args) ?? globalDir(args) ?? opts.cwd ?? Deno.cwd());
    throw new GitTimeoutError(subcommand(args) ?? "command", target, limit as number);
  }
  const result: GitResult = { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  if (result.code !== 0 && !opts.allowFail) throw gitError(args, result.stderr, opts.cwd);
  return result;
}

/** The directory whose repository git will use: `-C` (last one before the sub-command) or `cwd`. */
function repoDirOf(args: string[], cwd?: string): string | undefined {
  const c = globalDir(args);
  if (c === undefined) return cwd;
  return resolve(cwd ?? Deno.cwd(), c);
}

/**
 * The child environment plus the overrides that keep the repository's own
 * config from running programs (see harden.ts), the low-speed limits, and no
 * proxy command unless the user chose one.
 */
function hardenedEnv(
  env: Record<string, string>,
  base: Record<string, string>,
  sections: ConfigSection[],
): Record<string, string> {
  withConfigPairs(env, base, [...ALWAYS, ...overridesFor(sections)]);
  // Env beats config: core.gitProxy (first match wins, so -c cannot override it) and core.pager.
  if (base.GIT_PROXY_COMMAND === undefined) env.GIT_PROXY_COMMAND = "";
  env.GIT_PAGER = "cat";
  env.GIT_EDITOR = ":";
  env.GIT_SEQUENCE_EDITOR = ":";
  env.GIT_HTTP_LOW_SPEED_LIMIT = base.GIT_HTTP_LOW_SPEED_LIMIT ?? LOW_SPEED_LIMIT;
  env.GIT_HTTP_LOW_SPEED_TIME = base.GIT_HTTP_LOW_SPEED_TIME ?? LOW_SPEED_TIME;
  return env;
}

/** Keys of the local (and worktree) config of `dir`, includes resolved by git (only for configs with includes). */
async function listLocalKeys(dir: string): Promise<string[]> {
  const env: Record<string, string> = { LC_ALL: "C" };
  const base = baseEnv();
  withConfigPairs(env, base, ALWAYS);
  const out = await new Deno.Command("git", {
    args: ["config", "--list", "--show-scope", "--name-only", "-z"],
    cwd: dir,
    env: { ...base, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const fields = decoder.decode(out.stdout).split("\0");
  const keys: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "local" || fields[i] === "worktree") keys.push(fields[i + 1]);
  }
  return keys;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** Reads a stream to its end, or until `signal` aborts (then returns what was read). */
async function readAll(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  if (signal?.aborted) cancel();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  return concatBytes(chunks);
}

/** Environment added to every git call made inside {@link withGitEnv} (per fetch: credentials). */
const ambient = new AsyncLocalStorage<Record<string, string>>();

/** The environment git runs in, set by {@link withBaseEnv} (an update's own); else the process's. */
const base = new AsyncLocalStorage<Readonly<Record<string, string>>>();

function baseEnv(): Record<string, string> {
  const env = base.getStore();
  return env ? { ...env } : Deno.env.toObject();
}

/**
 * Runs `fn` with `env` as the whole environment of every git command it starts (instead of the
 * process's), so an update given its own environment runs git in it too.
 */
export function withBaseEnv<T>(env: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  return base.run(env, fn);
}

/**
 * Runs `fn` with `env` added to every git command it starts (directly or through
 * clone/inspect helpers), e.g. a credential helper for one repository's fetch.
 */
export function withGitEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return ambient.run({ ...(ambient.getStore() ?? {}), ...env }, fn);
}

/** The child environment: the caller's variables on top of non-interactive defaults. */
function gitEnv(from: Record<string, string>, explicit: Record<string, string> = {}): Record<string, string> {
  const extra = { ...(ambient.getStore() ?? {}), ...explicit };
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    LC_ALL: "C",
  };
  // A user-chosen ssh command (e.g. with `-i key`) must keep working; only the default gets BatchMode.
  const userSshCommand = extra.GIT_SSH_COMMAND ?? from.GIT_SSH_COMMAND;
  const userSsh = extra.GIT_SSH ?? from.GIT_SSH;
  if (userSshCommand === undefined) {
    // GIT_SSH ranks below a repository's core.sshCommand; GIT_SSH_COMMAND ranks above it.
    env.GIT_SSH_COMMAND = userSsh === undefined ? "ssh -oBatchMode=yes" : shellQuote(userSsh);
  }
  return { ...env, ...extra };
}

/** `s` as one POSIX shell word. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Builds the user-facing error for a failed git command. */
export function gitError(args: string[], stderr: string, cwd?: string): IvpmError {
  const sub = subcommand(args) ?? "command";
  const target = redactUrl(findUrl(args) ?? globalDir(args) ?? cwd ?? Deno.cwd());
  const detail = lastMeaningfulLine(stderr);
  const message = `git ${sub} failed for ${target}` + (detail ? `: ${detail}` : "");
  return new IvpmError(message, { hint: hintFor(stderr) });
}

/** Global options of git that take a separate value (`git -C dir …`). */
const VALUE_OPTIONS = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"]);

/** The git sub-command of an argument list, skipping global options. */
function subcommand(args: string[]): string | undefined {
  const i = subcommandIndex(args);
  return i < 0 ? undefined : args[i];
}

/** Index of the git sub-command in an argument list (-1 when there is none). */
function subcommandIndex(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return i;
  }
  return -1;
}

/** The directory of a leading `-C <dir>` global option. */
function globalDir(args: string[]): string | undefined {
  const sub = subcommand(args);
  const end = sub === undefined ? args.length : args.indexOf(sub);
  const i = args.lastIndexOf("-C", end);
  return i >= 0 && i < end ? args[i + 1] : undefined;
}

/** First argument that looks like a repository URL (`scheme://…` or scp-like `user@host:path`). */
function findUrl(args: string[]): string | undefined {
  return args.find((a) =>
    !a.startsWith("-") && (/^[a-z][a-z0-9+.-]*:\/\//i.test(a) || /^[^\s/@]+@[^\s/:]+:/.test(a))
  );
}

/** Hides a password or token embedded in a URL (`https://user:token@host`). */
function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, "$1***@");
}

/** Progress and generic follow-up lines that never say what actually went wrong. */
const NOISE =
  /^(hint:|Cloning into |remote: (Enumerating|Counting|Compressing|Total)|fatal: Could not read from remote repository|Please make sure you have the correct access rights|and the repository exists)/;

/** The line of stderr that says what went wrong, without git's `fatal:` prefix. */
function lastMeaningfulLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l !== "" && !NOISE.test(l));
  const errors = lines.filter((l) => /^(fatal|error):/.test(l));
  const line = errors.length > 0 ? errors[errors.length - 1] : lines[lines.length - 1];
  return line?.replace(/^(fatal|error):\s*/, "");
}

/** Picks the advice that matches the failure git reported. */
function hintFor(stderr: string): string | undefined {
  // Ref problems first: "Remote branch x not found" would otherwise read as a missing repository.
  if (
    /unknown revision|did not match any file|pathspec|remote branch .* not found|couldn't find remote ref|not a valid object name|bad revision|not our ref|reference is not a tree/i
      .test(stderr)
  ) {
    return "check that the branch, tag or commit exists in the repository";
  }
  if (
    /authentication failed|permission denied|could not read (username|password)|terminal prompts disabled|host key verification failed|invalid username or password|returned error: 40[13]/i
      .test(stderr)
  ) {
    return "check your credentials: for https use a credential helper or token, or pass -a " +
      "(anonymous https) for public repositories; for SSH make sure your key is loaded (ssh-agent) " +
      "and registered with the host";
  }
  if (
    /could not resolve host|connection refused|timed out|network is unreachable|no route to host/i.test(
      stderr,
    )
  ) {
    return "check the network connection and the host name in the URL";
  }
  if (/transport 'file' not allowed/i.test(stderr)) {
    return "a repository fetched from the network may not pull in local (file://) submodules; " +
      "fetch the parent from a local path to allow them";
  }
  if (/not a git repository/i.test(stderr)) {
    return "the directory is not a git checkout; remove it and fetch the package again";
  }
  if (
    /not found|does not appear to be a git repository|does not exist|no such file or directory/i.test(stderr)
  ) {
    return "check the repository URL (and that you have access to it)";
  }
  return undefined;
}
