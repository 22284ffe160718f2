/**
 * What git did during a measured step, from git's own trace2 event log
 * (`GIT_TRACE2_EVENT=<file>`, which every git process — and every process git
 * starts — appends to). Cheap enough to leave on only for the profile pass.
 *
 * @module
 */

/** One git process started directly by the measured code. */
export interface GitProcess {
  /** Sub-command (`clone`, `rev-parse`, …). */
  name: string;
  /** Its arguments (without the leading `git`). */
  argv: string[];
  /** Work tree it ran in, when git reported one. */
  worktree?: string;
  /** Epoch ms (fractional) the process started and exited. */
  start: number;
  end: number;
}

/** Processes of one git sub-command. */
export interface CommandStats {
  /** How many processes ran it. */
  count: number;
  /** Sum of their run times (ms). */
  totalMs: number;
}

/** What one traced step spawned. */
export interface GitTrace {
  /** Top-level processes, by start time. */
  processes: GitProcess[];
  /** Top-level processes by sub-command. */
  commands: Map<string, CommandStats>;
  /** Processes git started itself (upload-pack, index-pack, …). */
  children: number;
  /** Most top-level git processes that were running at the same time. */
  peakConcurrency: number;
}

interface TraceEvent {
  event: string;
  sid: string;
  name?: string;
  time?: string;
  t_abs?: number;
  argv?: string[];
  worktree?: string;
}

/** Reads and summarises a trace2 event file. */
export async function readGitTrace(file: string): Promise<GitTrace> {
  const text = await Deno.readTextFile(file).catch(() => "");
  const bySid = new Map<string, Partial<GitProcess>>();
  let children = 0;
  for (const line of text.split("\n")) {
    if (!line) continue;
    let e: TraceEvent;
    try {
      e = JSON.parse(line);
    } catch {
      continue; // a line torn by concurrent appends; rare and irrelevant for a profile
    }
    if (e.sid.includes("/")) {
      if (e.event === "start") children++;
      continue;
    }
    const p = bySid.get(e.sid) ?? {};
    bySid.set(e.sid, p);
    // `time` of `start` is when tracing began, `t_abs` how long after the process started that was.
    if (e.event === "start" && e.time) {
      p.start = isoMs(e.time) - (e.t_abs ?? 0) * 1000;
      p.argv = e.argv?.slice(1) ?? [];
    }
    if (e.event === "cmd_name" && e.name) p.name = e.name;
    if (e.event === "def_repo" && e.worktree) p.worktree = e.worktree;
    if (e.event === "atexit" && e.time) p.end = isoMs(e.time);
  }
  const processes = [...bySid.values()].filter((p): p is GitProcess =>
    p.name !== undefined && p.start !== undefined && p.end !== undefined
  ).sort((a, b) => a.start - b.start);
  const commands = new Map<string, CommandStats>();
  for (const p of processes) {
    const s = commands.get(p.name) ?? { count: 0, totalMs: 0 };
    s.count++;
    s.totalMs += p.end - p.start;
    commands.set(p.name, s);
  }
  return { processes, commands, children, peakConcurrency: peak(processes) };
}

/** An ISO time with microseconds (`…:15.894646Z`) in fractional epoch ms; Date.parse would round to ms. */
function isoMs(iso: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return Date.parse(iso);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? "0"}`) * 1000;
}

/** Largest number of overlapping [start, end) intervals. */
function peak(processes: GitProcess[]): number {
  const edges: [number, number][] = [];
  for (const p of processes) edges.push([p.start, 1], [p.end, -1]);
  // Ends sort before starts at the same instant: back-to-back processes do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0, max = 0;
  for (const [, delta] of edges) max = Math.max(max, cur += delta);
  return max;
}

/** Total top-level git processes of a trace. */
export function processCount(t: GitTrace): number {
  return t.processes.length;
}

/** Total time top-level git processes ran (ms). */
export function gitBusyMs(t: GitTrace): number {
  return t.processes.reduce((ms, p) => ms + (p.end - p.start), 0);
}
