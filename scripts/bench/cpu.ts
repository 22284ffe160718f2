/**
 * CPU time of this process and of its reaped children (Linux `/proc/self/stat`),
 * to tell whether a slow step burns CPU in ivpm's own code or in git.
 *
 * @module
 */

/** CPU time spent so far, in ms (10 ms resolution: the kernel counts clock ticks). */
export interface CpuTimes {
  /** This process (user + system). */
  self: number;
  /** Waited-for children (user + system). */
  children: number;
}

/** Current CPU times, or undefined where `/proc` is not available. */
export function cpuTimes(): CpuTimes | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync("/proc/self/stat");
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may contain spaces): utime is field 14.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const tick = 10; // USER_HZ is 100 on every Linux ABI Deno runs on
  return { self: (f[11] + f[12]) * tick, children: (f[13] + f[14]) * tick };
}

/** CPU used between two readings, as `self X ms + git Y ms`. */
export function cpuSince(before: CpuTimes | undefined): string {
  const now = cpuTimes();
  if (!before || !now) return "cpu n/a";
  return `cpu: deno ${now.self - before.self} ms + children ${now.children - before.children} ms`;
}

/** CPU time the whole machine spent busy (ms, all cores), or undefined where `/proc/stat` is missing. */
export function machineBusyMs(): number | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync("/proc/stat");
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal …, in clock ticks.
  const f = stat.slice(0, stat.indexOf("\n")).split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Watches how much CPU other processes (not this one or its children) take while the bench runs. */
export class OtherLoad {
  #busy0 = machineBusyMs();
  #own0 = cpuTimes();
  #t0 = performance.now();

  /** Share of the machine's CPU capacity used by other processes since construction (0–1), if known. */
  share(): number | undefined {
    const busy = machineBusyMs(), own = cpuTimes();
    if (busy === undefined || this.#busy0 === undefined || !own || !this.#own0) return undefined;
    const others = busy - this.#busy0 - (own.self - this.#own0.self) - (own.children - this.#own0.children);
    const capacity = (performance.now() - this.#t0) * navigator.hardwareConcurrency;
    return Math.max(0, others / capacity);
  }
}
