/**
 * Running external tools (python, pip, uv) and finding them on `PATH`.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { HandlerFatalError } from "@ivpm/plugin";

/** The environment of the handler call in progress (its `info.env`), for every tool it runs. */
const callEnv = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/**
 * Runs `fn` with `env` (a callback's `info.env`) as the environment every tool is found in and run
 * with; without it, the process's.
 */
export function withToolEnv<T>(
  env: Readonly<Record<string, string>> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return env ? callEnv.run(env, fn) : fn();
}

/** A copy of the environment tools run with (see {@link withToolEnv}). */
export function toolEnv(): Record<string, string> {
  const env = callEnv.getStore();
  return env ? { ...env } : Deno.env.toObject();
}

/** One variable of the environment tools run with. */
export function toolEnvVar(name: string): string | undefined {
  const env = callEnv.getStore();
  return env ? env[name] : Deno.env.get(name);
}

/** What a tool run produced. */
export interface ToolResult {
  /** Exit code. */
  code: number;
  /** Standard output and error, interleaved in arrival order. */
  output: string;
  /** Standard output alone (for tools whose answer is machine-readable). */
  stdout: string;
}

/** Options of {@link runTool}. */
export interface RunOptions {
  /** Working directory. */
  cwd?: string;
  /** Variables added to (or, with `undefined`, removed from) the inherited environment. */
  env?: Record<string, string | undefined>;
  /** Called with each complete output line (for progress). */
  onLine?: (line: string) => void;
}

function isNotFound(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound;
}

/**
 * Runs `cmd args…` and returns its exit code and output; never throws for a
 * non-zero exit. A missing program is a {@link HandlerFatalError} naming it.
 */
export async function runTool(cmd: string, args: string[], opts: RunOptions = {}): Promise<ToolResult> {
  const env: Record<string, string> = {};
  const clear: string[] = [];
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) clear.push(k);
    else env[k] = v;
  }
  let child: Deno.ChildProcess;
  try {
    const base = toolEnv();
    for (const k of clear) delete base[k];
    child = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      // Python buffers its output when piped; unbuffered keeps stdout and stderr in order.
      env: { ...base, PYTHONUNBUFFERED: "1", ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (isNotFound(e)) {
      throw new HandlerFatalError(`'${cmd}' was not found (needed to run '${[cmd, ...args].join(" ")}')`);
    }
    throw e;
  }
  let output = "";
  let stdout = "";
  let partial = "";
  const lineSink = (text: string) => {
    if (!opts.onLine) return;
    partial += text;
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const l of lines) opts.onLine(l);
  };
  const drain = async (stream: ReadableStream<Uint8Array>, isOut: boolean) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      const text = dec.decode(chunk, { stream: true });
      output += text;
      if (isOut) stdout += text;
      lineSink(text);
    }
  };
  const [status] = await Promise.all([child.status, drain(child.stdout, true), drain(child.stderr, false)]);
  if (partial && opts.onLine) opts.onLine(partial);
  return { code: status.code, output, stdout };
}

/** The last `n` non-empty lines of `output`, for error messages. */
export function tailLines(output: string, n = 20): string[] {
  return output.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "").slice(-n);
}

/** Formats a failed tool run: `message`, then the tool's last lines, indented. */
export function toolFailure(message: string, result: ToolResult): HandlerFatalError {
  const tail = tailLines(result.output);
  const body = tail.length ? `\n${tail.map((l) => `    ${l}`).join("\n")}` : " (no output)";
  return new HandlerFatalError(`${message} (exit code ${result.code}); last output:${body}`);
}

/** Absolute path of `name` found on `PATH` (with `PATHEXT` on Windows), or undefined. */
export async function findOnPath(name: string): Promise<string | undefined> {
  const windows = Deno.build.os === "windows";
  const path = toolEnvVar("PATH") ?? "";
  const exts = windows ? (toolEnvVar("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";").filter(Boolean) : [""];
  for (const dir of path.split(windows ? ";" : ":")) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = `${dir}${windows ? "\\" : "/"}${name}${ext}`;
      try {
        const st = await Deno.stat(candidate);
        if (st.isFile && (windows || ((st.mode ?? 0o111) & 0o111) !== 0)) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
