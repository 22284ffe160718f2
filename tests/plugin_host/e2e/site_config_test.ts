/**
 * Site configurations from a plugin in the user config, chosen by
 * `IVPM_SITE_CONFIG_NAME`, else `site-config:` in the user config, else in the
 * site config file, else the last registered; the active one's cache
 * directory is what `update` and `cache info` use.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../../_helpers/git_fixture.ts";
import { ok, type PluginMachine, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";

function sites(root: string): string {
  return `import { SiteConfig } from "@ivpm/plugin";

export class AcmeSite extends SiteConfig {
  static override name = "acme";
  static override description = "Acme's build farm";
  override getDefaultCacheDir(): string {
    return ${JSON.stringify(join(root, "acme-cache"))};
  }
  override getDefaultGitAuthOrder(): string[] {
    return ["ssh"];
  }
}

export class BetaSite extends SiteConfig {
  static override name = "beta";
  override getDefaultCacheDir(): string {
    return ${JSON.stringify(join(root, "beta-cache"))};
  }
}
`;
}

interface Shown {
  active: string;
  reason: string;
  configs: { name: string; origin: string; active: boolean }[];
  settings: { cacheDir: string; gitAuthOrder: string[] };
  files: string[];
}

async function shown(
  m: PluginMachine,
  env: Record<string, string> = {},
): Promise<Shown & { stderr: string }> {
  const r = await ok(m, ["show", "site-config", "--json"], { env });
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

async function userConfig(m: PluginMachine, siteConfig?: string): Promise<void> {
  await Deno.writeTextFile(
    m.userConfig,
    `${
      siteConfig ? `site-config: ${siteConfig}\n` : ""
    }# machine-wide plugins of this user\nplugins:\n  - ./sites.ts\n`,
  );
}

Deno.test("the active site config: env var, then user config, then site file, then last registered", async () => {
  await using m = await pluginMachine();
  await writeTree(join(m.userConfig, ".."), { "sites.ts": sites(m.root) });
  const acme = join(m.root, "acme-cache");

  await userConfig(m, "acme");
  await Deno.writeTextFile(m.siteConfig, "site-config: default\n");

  const byEnv = await shown(m, { IVPM_SITE_CONFIG_NAME: "beta" });
  assert.equal(byEnv.active, "beta");
  assert.equal(byEnv.reason, "IVPM_SITE_CONFIG_NAME");
  assert.equal(byEnv.settings.cacheDir, join(m.root, "beta-cache"));
  assert.deepEqual(byEnv.configs.map((c) => [c.name, c.origin, c.active]), [
    ["default", "built-in", false],
    ["acme", "./sites.ts (user)", false],
    ["beta", "./sites.ts (user)", true],
  ]);
  assert.deepEqual(byEnv.files, [m.siteConfig, m.userConfig]);

  const byUser = await shown(m);
  assert.deepEqual([byUser.active, byUser.reason], ["acme", "user config site-config"]);
  assert.equal(byUser.settings.cacheDir, acme);
  assert.deepEqual(byUser.settings.gitAuthOrder, ["ssh"]);

  await userConfig(m);
  const bySite = await shown(m);
  assert.deepEqual([bySite.active, bySite.reason], ["default", "site config file site-config"]);
  assert.equal(bySite.settings.cacheDir, join(m.cacheHome, "ivpm"));

  await Deno.remove(m.siteConfig);
  const byOrder = await shown(m);
  assert.deepEqual([byOrder.active, byOrder.reason], ["beta", "last registered"]);
  assert.deepEqual(byOrder.files, [m.userConfig]);

  // An unknown name warns and falls back to the next rule.
  await userConfig(m, "acme");
  const unknown = await shown(m, { IVPM_SITE_CONFIG_NAME: "acm" });
  assert.match(
    unknown.stderr,
    /^warning: site config 'acm' \(from IVPM_SITE_CONFIG_NAME\) is not registered \(registered: default, acme, beta\); falling back$/m,
  );
  assert.deepEqual([unknown.active, unknown.reason], ["acme", "user config site-config"]);

  const one = await ok(m, ["show", "site-config", "acme"]);
  assert.match(one.stdout, /^Site config: acme \(active\)$/m);
  assert.match(one.stdout, /^ {2}origin: \.\/sites\.ts \(user\)$/m);
  assert.ok(one.stdout.includes(`cache dir: ${acme}`));
});

Deno.test("update caches a cache: true package in the active site config's cache dir; cache info uses it too", async () => {
  await using m = await pluginMachine();
  await writeTree(join(m.userConfig, ".."), { "sites.ts": sites(m.root) });
  await userConfig(m, "acme");
  const repo = await makeRepo(m.root, "lib", { files: { "lib.txt": "cached\n" } });
  const proj = join(m.root, "proj");
  await writeTree(proj, {
    "ivpm.yaml": `package:
  name: soc
  dep-sets:
    - name: default
      deps:
        - name: lib
          url: ${repo.url}
          cache: true
`,
  });
  // IVPM_CACHE unset: the site config decides.
  const noCacheEnv = { unsetEnv: ["IVPM_CACHE"] };
  await ok(m, ["update"], { cwd: proj, ...noCacheEnv });
  const target = await Deno.realPath(join(proj, "packages", "lib"));
  assert.ok(target.startsWith(join(m.root, "acme-cache") + "/"), target);

  const info = JSON.parse((await ok(m, ["cache", "info", "--json"], noCacheEnv)).stdout) as {
    dir: string;
    packages: { name: string }[];
  };
  assert.equal(info.dir, join(m.root, "acme-cache"));
  assert.deepEqual(info.packages.map((p) => p.name), ["lib"]);

  const beta = await m.run(["cache", "info"], { ...noCacheEnv, env: { IVPM_SITE_CONFIG_NAME: "beta" } });
  assert.equal(beta.code, 1);
  assert.ok(
    beta.stderr.includes(`Cache directory does not exist: ${join(m.root, "beta-cache")}`),
    beta.stderr,
  );
});
