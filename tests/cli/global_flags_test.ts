import { equal } from "node:assert/strict";
import { hoistGlobals } from "../../core/cli/run.ts";
import { runIvpm } from "../_helpers/cli.ts";

Deno.test("global flags after the sub-command move before it", () => {
  equal(
    hoistGlobals(["update", "--frozen", "-j", "2", "-q", "--log-level", "DEBUG"]).join(" "),
    "--frozen -q --log-level DEBUG update -j 2",
  );
  equal(hoistGlobals(["-q", "show", "handler", "--frozen"]).join(" "), "-q --frozen show handler");
});

Deno.test("arguments after -- and after activate are not global flags", () => {
  equal(hoistGlobals(["sync", "--", "-q"]).join(" "), "sync -- -q");
  equal(hoistGlobals(["activate", "-c", "ls", "-q"]).join(" "), "activate -c ls -q");
});

Deno.test("ivpm update --frozen and ivpm --frozen update both run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-flags-" });
  try {
    await Deno.writeTextFile(`${dir}/ivpm.yaml`, "package:\n  name: p\n");
    for (const args of [["update", "--frozen", "-q"], ["--frozen", "-q", "update"]]) {
      const r = await runIvpm(args, { cwd: dir });
      equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      equal(r.stderr.includes("nknown option"), false, r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
