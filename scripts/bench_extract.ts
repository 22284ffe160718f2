/**
 * Archive extraction benchmark (part of `deno task bench`): `extractArchive` vs
 * `tar -xzf` on a generated `.tar.gz` of small files (200 per directory, 40–200
 * bytes each, one executable in ten, one symlink in a hundred), for 20k and 100k
 * entries, the two run in turn. Prints both wall-clock and CPU times (best of
 * `--rounds`, default 3; 1 for 100k), their ratios and the share of the machine
 * other processes took meanwhile (above ~10 % the wall times are not worth
 * comparing). The target is a wall-clock ratio under 2 for 20k entries.
 *
 * Flags: `--sizes 20000,100000`, `--rounds k`, `--strict` (exit 1 when the target is missed).
 *
 * @module
 */

import { join } from "node:path";
import { extractArchive } from "../core/fetch/archive/extract.ts";
import { cpuTimes, OtherLoad } from "./bench/cpu.ts";

const TARGET_RATIO = 2;

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const sizes = (flag("--sizes") ?? "20000,100000").split(",").map(Number);
const rounds = Number(flag("--rounds") ?? 3);
const strict = Deno.args.includes("--strict");

/** Writes `entries` small files (and a few symlinks) under `src/pkg-1.0/` and packs them with `tar -czf`. */
async function makeArchive(dir: string, entries: number): Promise<string> {
  const top = join(dir, "src", "pkg-1.0");
  const perDir = 200;
  for (let i = 0; i < entries; i++) {
    const sub = join(top, `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) Deno.mkdirSync(sub, { recursive: true });
    const name = join(sub, `f${i}.txt`);
    if (i % 100 === 99) {
      Deno.symlinkSync(`f${i - 1}.txt`, name);
      continue;
    }
    Deno.writeTextFileSync(name, `file ${i} `.repeat(4 + (i % 20)));
    if (i % 10 === 0) Deno.chmodSync(name, 0o755);
  }
  const archive = join(dir, `bench-${entries}.tar.gz`);
  await command("tar", ["-czf", archive, "-C", join(dir, "src"), "pkg-1.0"]);
  await Deno.remove(join(dir, "src"), { recursive: true });
  return archive;
}

async function command(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

interface Sample {
  wallMs: number;
  /** CPU time (user + system) the run took: this process for ivpm, the child for tar. */
  cpuMs: number;
}

async function sample(fn: () => Promise<unknown>, child: boolean): Promise<Sample> {
  const cpu0 = cpuTimes();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  const cpu1 = cpuTimes();
  const cpuMs = cpu0 && cpu1 ? (child ? cpu1.children - cpu0.children : cpu1.self - cpu0.self) : NaN;
  return { wallMs, cpuMs };
}

const best = (samples: Sample[]): Sample => ({
  wallMs: Math.min(...samples.map((s) => s.wallMs)),
  cpuMs: Math.min(...samples.map((s) => s.cpuMs)),
});

const dir = await Deno.makeTempDir({ prefix: "ivpm_bench_extract_" });
let missed = false;
try {
  let n = 0;
  for (const size of sizes) {
    const archive = await makeArchive(dir, size);
    const k = size > 50_000 ? 1 : rounds;
    const tar: Sample[] = [], ivpm: Sample[] = [];
    const load = new OtherLoad();
    const runTar = async () => {
      const dest = join(dir, `out-${n++}`);
      await Deno.mkdir(dest);
      await command("sync", []); // the previous run's writeback must not slow this one
      tar.push(await sample(() => command("tar", ["-xzf", archive, "-C", dest]), true));
      await Deno.remove(dest, { recursive: true });
    };
    const runIvpm = async () => {
      const dest = join(dir, `out-${n++}`);
      await command("sync", []);
      ivpm.push(await sample(() => extractArchive(archive, dest, "tar.gz"), false));
      await Deno.remove(dest, { recursive: true });
    };
    // Interleaved, in alternating order, so a change in the machine's load hits both sides alike.
    for (let i = 0; i < k; i++) {
      const order = i % 2 === 0 ? [runTar, runIvpm] : [runIvpm, runTar];
      for (const run of order) await run();
    }
    const t = best(tar), v = best(ivpm);
    const ratio = v.wallMs / t.wallMs;
    const mark = size <= 20_000 && ratio >= TARGET_RATIO ? "  (target < 2: missed)" : "";
    if (mark) missed = true;
    const other = load.share();
    console.log(
      `${String(size).padStart(6)} entries: tar -xzf ${t.wallMs.toFixed(0).padStart(6)} ms ` +
        `(cpu ${t.cpuMs} ms), extractArchive ${v.wallMs.toFixed(0).padStart(6)} ms (cpu ${v.cpuMs} ms), ` +
        `ratio ${ratio.toFixed(2)} (cpu ${(v.cpuMs / t.cpuMs).toFixed(2)}), best of ${k}` +
        (other === undefined ? "" : `, other load ${(other * 100).toFixed(0)} %`) + mark,
    );
    await Deno.remove(archive);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
if (strict && missed) Deno.exit(1);
