import { equal } from "node:assert/strict";
import { ivpmCommandArgs } from "../_helpers/cli.ts";

/** Runs ivpm with stdout closed by the reader before it prints anything (`ivpm … | head -0`). */
async function runWithClosedStdout(args: string[]): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ivpmCommandArgs(args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, stderr };
}

for (const args of [["show", "handler"], ["show", "--schema"], ["--help"], ["show", "source"]]) {
  Deno.test(`a closed stdout ends 'ivpm ${args.join(" ")}' quietly with status 141`, async () => {
    const r = await runWithClosedStdout(args);
    equal(r.stderr.includes("bug in ivpm"), false, r.stderr);
    equal(r.stderr.includes("Broken pipe"), false, r.stderr);
    equal(r.code, 141, r.stderr);
  });
}
