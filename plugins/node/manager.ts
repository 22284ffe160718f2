/**
 * The Node package managers the node handler drives (npm, pnpm, yarn): their
 * command lines, and running one with its output kept for error messages.
 *
 * @module
 */

/** A supported package manager. */
export type NodeManager = "npm" | "pnpm" | "yarn";

/** Every supported manager, in the order shown to users. */
export const NODE_MANAGERS: readonly NodeManager[] = ["npm", "pnpm", "yarn"];

/** How many trailing output lines an error message quotes. */
export const OUTPUT_TAIL_LINES = 20;

/**
 * The command installing `packages/node/package.json` into `nodeDir`. npm runs no
 * lifecycle scripts: the handler runs those the project allows afterwards.
 */
export function installCommand(manager: NodeManager, nodeDir: string): string[] {
  switch (manager) {
    case "npm":
      return ["npm", "install", "--prefix", nodeDir, "--ignore-scripts"];
    case "pnpm":
      return ["pnpm", "install", "--dir", nodeDir];
    case "yarn":
      return ["yarn", "install", "--cwd", nodeDir];
  }
}

/** The command linking the source package at `pkgPath` into `nodeDir` (npm: running none of its scripts). */
export function linkCommand(manager: NodeManager, nodeDir: string, pkgPath: string): string[] {
  switch (manager) {
    case "npm":
      return ["npm", "link", pkgPath, "--prefix", nodeDir, "--ignore-scripts"];
    case "pnpm":
      return ["pnpm", "link", pkgPath, "--dir", nodeDir];
    case "yarn":
      return ["yarn", "link", "--cwd", nodeDir, pkgPath];
  }
}

/** What a finished tool run produced. */
export interface ToolRun {
  /** Exit code. */
  code: number;
  /** stdout and stderr lines, interleaved in arrival order. */
  lines: string[];
}

/** Thrown by {@link runTool} when the program is not on PATH. */
export class ToolNotFoundError extends Error {
  /** Creates the error for `tool` (the program name as run). */
  constructor(readonly tool: string) {
    super(`'${tool}' not found`);
    this.name = "ToolNotFoundError";
  }
}

// npm's audit and funding messages need the network and add nothing to an install ivpm runs.
const QUIET_ENV = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

async function collectLines(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split(/\r?\n/);
    rest = parts.pop() ?? "";
    into.push(...parts);
  }
  if (rest) into.push(rest);
}

/**
 * Runs `cmd` (no stdin), keeping its output; throws {@link ToolNotFoundError} if it is not installed.
 * With `env` (the run's environment) the tool is found on its PATH and sees only it.
 */
export async function runTool(
  cmd: string[],
  cwd?: string,
  env?: Readonly<Record<string, string>>,
): Promise<ToolRun> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd,
      env: { ...env, ...QUIET_ENV },
      clearEnv: env !== undefined,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ToolNotFoundError(cmd[0]);
    throw e;
  }
  const lines: string[] = [];
  const [status] = await Promise.all([
    child.status,
    collectLines(child.stdout, lines),
    collectLines(child.stderr, lines),
  ]);
  return { code: status.code, lines };
}

/** The last `n` non-blank lines of a run's output, indented for a message. */
export function outputTail(lines: string[], n = OUTPUT_TAIL_LINES): string {
  return lines.filter((l) => l.trim() !== "").slice(-n).map((l) => `  ${l}`).join("\n");
}

/** A command line as the user would type it (arguments with spaces quoted). */
export function commandText(cmd: string[]): string {
  return cmd.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
}
