import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../_helpers/update_project.ts";

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

/** npm packages reached by static imports from `entries` (what loading them evaluates), by importer. */
async function staticNpm(entries: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of entries) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(out.code, 0, `deno info ${entry}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      roots: string[];
      modules: InfoModule[];
      redirects: Record<string, string>;
    };
    const modules = new Map(info.modules.map((m) => [m.specifier, m]));
    const seen = new Set<string>();
    const stack = [info.roots[0]];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const dep of modules.get(s)?.dependencies ?? []) {
        const target = dep.code?.specifier;
        if (!target || dep.isDynamic) continue;
        const resolved = info.redirects[target] ?? target;
        if (resolved.startsWith("npm:")) {
          const name = resolved.replace(/^npm:\/?/, "").replace(/@[^@/]+$/, "");
          found.set(name, relative(REPO_ROOT, fileURLToPath(s)));
        } else stack.push(resolved);
      }
    }
  }
  return found;
}

// Start-up is most of a no-op update or a status: the npm packages they statically load (CommonJS, resolved
// file by file) cost tens of milliseconds each, so only the CLI parser may be among them.
Deno.test("the CLI, `update` and `status` load no npm package but the CLI parser until they need one", async () => {
  const npm = await staticNpm([
    "core/cli/main.ts",
    "core/cli/commands/update.ts",
    "core/cli/commands/status.ts",
  ]);
  assert.deepEqual(
    [...npm.keys()],
    ["commander"],
    `statically loaded: ${JSON.stringify(Object.fromEntries(npm))}`,
  );
});
