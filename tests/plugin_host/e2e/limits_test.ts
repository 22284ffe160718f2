/**
 * The trust boundary around plugin code at run time: a callback that never returns is stopped after
 * its time limit (or at once by one SIGTERM / Ctrl-C), plugin output never reaches stdout, and two
 * plugins never share a JavaScript realm.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ok,
  type PluginMachine,
  pluginMachine,
  socYaml,
  writeIpSource,
  writeTree,
} from "../../_helpers/plugins_e2e.ts";
import { ivpmCommandArgs } from "../../_helpers/cli.ts";
import { exists } from "../../_helpers/update_project.ts";

const SPINNER = `import { PackageHandler, type RootInfo } from "@ivpm/plugin";

export class Spinner extends PackageHandler {
  static override name = "spinner";
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(info.outputDir + "/spinning", "");
    while (true) { /* never returns */ }
  }
}
`;

/** A project with one dependency and the given local plugins (paths under tools/). */
async function project(m: PluginMachine, plugins: Record<string, string>): Promise<string> {
  const proj = join(m.root, "proj");
  const files: Record<string, string> = { "ivpm.yaml": socYaml({ ip: await writeIpSource(m.root) }) };
  for (const [name, text] of Object.entries(plugins)) files[`tools/${name}`] = text;
  await writeTree(proj, files);
  for (const name of Object.keys(plugins)) await ok(m, ["plugin", "add", `./tools/${name}`], { cwd: proj });
  return proj;
}

Deno.test("a root callback that never returns is stopped after --handler-timeout; the update fails naming the plugin", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "spinner.ts": SPINNER });
  const r = await m.run(["update", "--handler-timeout", "1"], { cwd: proj });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^error: handler 'spinner' \(plugin \.\/tools\/spinner\.ts.*\) did not finish onRootPostLoad within 1 s; its worker was stopped/m,
  );
  assert.match(r.stderr, /hint: .*--handler-timeout/);
  assert.doesNotMatch(r.stderr, /bug in ivpm/);
});

Deno.test("a plugin's own 'timeout:' entry limits its callbacks", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "spinner.ts": SPINNER });
  const yaml = join(proj, "ivpm.yaml");
  const text = await Deno.readTextFile(yaml);
  await Deno.writeTextFile(
    yaml,
    text.replace("- ./tools/spinner.ts", "- spec: ./tools/spinner.ts\n      timeout: 1"),
  );
  assert.notEqual(await Deno.readTextFile(yaml), text, "the plugin entry was rewritten");
  const r = await m.run(["update"], { cwd: proj });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /handler 'spinner' .*did not finish onRootPostLoad within 1 s/);
});

/** Starts `ivpm update` in the background, waits until the plugin is stuck, sends one signal. */
async function signalStuckUpdate(
  m: PluginMachine,
  proj: string,
  signal: Deno.Signal,
): Promise<Deno.CommandStatus> {
  const env = { ...Deno.env.toObject(), ...m.env };
  for (const k of ["IVPM_SITE_CONFIG_NAME", "GITHUB_TOKEN", "IVPM_CACHE", "CI", "JSR_URL"]) delete env[k];
  const child = new Deno.Command(Deno.execPath(), {
    args: ivpmCommandArgs(["update"]),
    cwd: proj,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // The plugin writes this file right before it spins (a safety net, not a timing assertion).
  const marker = join(proj, "packages", ".ivpm", "out", "spinner", "spinning");
  for (let i = 0; i < 600 && !(await exists(marker)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await exists(marker), "the plugin reached its endless loop");
  child.kill(signal);
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    return await child.status;
  } finally {
    clearTimeout(killer);
  }
}

Deno.test("one SIGTERM ends an update stuck in a plugin callback (exit 143); the lock is not half-written", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "spinner.ts": SPINNER });
  const status = await signalStuckUpdate(m, proj, "SIGTERM");
  assert.equal(status.signal, null, "ended by ivpm, not by the safety-net SIGKILL");
  assert.equal(status.code, 143);
  assert.equal(await exists(join(proj, "packages", ".ivpm-staging")), false);
});

Deno.test("one Ctrl-C (SIGINT) ends an update stuck in a plugin callback cleanly (exit 130)", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "spinner.ts": SPINNER });
  const status = await signalStuckUpdate(m, proj, "SIGINT");
  assert.equal(status.signal, null, "ended by ivpm, not by the safety-net SIGKILL");
  assert.equal(status.code, 130);
  // The project lock was released: the next update runs.
  await Deno.remove(join(proj, "ivpm.yaml"));
  await Deno.writeTextFile(join(proj, "ivpm.yaml"), "package:\n  name: soc\n");
  await ok(m, ["update"], { cwd: proj });
});

const CHATTY = `import { PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";

function chatter(where: string): void {
  console.log("log from " + where);
  console.info("info from " + where);
  console.debug("debug from " + where);
  console.table([{ where }]);
  console.dir({ dir: where });
  console.group("group from " + where);
  console.groupEnd();
  Deno.stdout.writeSync(new TextEncoder().encode("stdout from " + where + "\\n"));
  const internal = (Deno as unknown as Record<symbol, { core?: { print(s: string): void } }>)[
    (Deno as unknown as { internal: symbol }).internal
  ];
  internal?.core?.print("core print from " + where + "\\n");
}

export class Chatty extends PackageHandler {
  static override name = "chatty";
  override onLeafPostLoad(_pkg: PackageView): void {
    chatter("leaf");
  }
  override onRootPostLoad(_info: RootInfo): void {
    chatter("root");
  }
}
`;

Deno.test("plugin output goes to stderr: every stdout line of update --json parses as JSON", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "chatty.ts": CHATTY });
  const r = await ok(m, ["update", "--json"], { cwd: proj });
  for (const line of r.stdout.split("\n").filter((l) => l.trim())) {
    assert.doesNotThrow(() => JSON.parse(line), `not JSON on stdout: ${line}`);
  }
  for (const where of ["leaf", "root"]) {
    assert.match(r.stderr, new RegExp(`log from ${where}`));
    assert.match(r.stderr, new RegExp(`stdout from ${where}`));
  }
});

const PATCHER = `import { PackageHandler, type PackageView } from "@ivpm/plugin";

try {
  const original = PackageHandler.prototype.collect;
  PackageHandler.prototype.collect = function (this: PackageHandler, _record: unknown) {
    return original.call(this, "tampered");
  };
} catch { /* frozen */ }

export class Patcher extends PackageHandler {
  static override name = "patcher";
  override onLeafPostLoad(_pkg: PackageView): void {}
}
`;

const HONEST = `import { PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";

export class Honest extends PackageHandler {
  static override name = "honest";
  override onLeafPostLoad(pkg: PackageView): void {
    this.collect("seen " + pkg.name);
  }
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(info.outputDir + "/honest.txt", info.records.map((r) => r.record).join("\\n"));
  }
}
`;

Deno.test("a plugin cannot patch the API objects another plugin's leaf callbacks use", async () => {
  await using m = await pluginMachine();
  const proj = await project(m, { "patcher.ts": PATCHER, "honest.ts": HONEST });
  await ok(m, ["update"], { cwd: proj });
  assert.equal(
    await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "honest", "honest.txt")),
    "seen ip",
  );
});
