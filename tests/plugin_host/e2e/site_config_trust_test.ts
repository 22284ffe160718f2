/**
 * Site-config plugins get the same grant model as handlers (no environment variables unless granted),
 * what they return is checked before ivpm uses it, and a zero-argument factory export is registered.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, type PluginMachine, pluginMachine } from "../../_helpers/plugins_e2e.ts";

async function withSite(m: PluginMachine, source: string, entry = "  - ./sites.ts\n"): Promise<void> {
  await Deno.writeTextFile(join(m.userConfig, "..", "sites.ts"), source);
  await Deno.writeTextFile(m.userConfig, `plugins:\n${entry}`);
}

const ENV_READER = `import { SiteConfig } from "@ivpm/plugin";

export class Reader extends SiteConfig {
  static override name = "reader";
  override getDefaultCacheDir(): string {
    let secret: string | undefined;
    try {
      secret = Deno.env.get("IVPM_TEST_SECRET");
    } catch {
      secret = undefined;
    }
    return "/srv/" + (secret ?? "no-env");
  }
}
`;

Deno.test("a site config reads no environment variable unless its entry grants it", async () => {
  await using m = await pluginMachine({ IVPM_TEST_SECRET: "s3cr3t" });
  await withSite(m, ENV_READER);
  const denied = JSON.parse((await ok(m, ["show", "site-config", "--json"])).stdout);
  assert.equal(denied.settings.cacheDir, "/srv/no-env");

  await withSite(m, ENV_READER, "  - spec: ./sites.ts\n    allow-env: [IVPM_TEST_SECRET]\n");
  const granted = JSON.parse((await ok(m, ["show", "site-config", "--json"])).stdout);
  assert.equal(granted.settings.cacheDir, "/srv/s3cr3t");
});

Deno.test("what a site config leaves alone keeps ivpm's defaults (no env grant needed)", async () => {
  await using m = await pluginMachine();
  await withSite(
    m,
    `import { SiteConfig } from "@ivpm/plugin";
export class SshOnly extends SiteConfig {
  static override name = "ssh-only";
  override getDefaultGitAuthOrder(): string[] {
    return ["ssh"];
  }
}
`,
  );
  const shown = JSON.parse((await ok(m, ["show", "site-config", "--json"])).stdout);
  assert.equal(shown.active, "ssh-only");
  assert.deepEqual(shown.settings.gitAuthOrder, ["ssh"]);
  assert.equal(shown.settings.cacheDir, join(m.cacheHome, "ivpm"));
});

for (
  const [what, method, value, message] of [
    [
      "a relative cache directory",
      "getDefaultCacheDir",
      `"relative/dir"`,
      /invalid cache directory "relative\/dir": it must be an absolute path/,
    ],
    [
      "an option as install argument",
      "getIvpmInstallArgs",
      `["--index-url=http://127.0.0.1:9/simple"]`,
      /invalid install argument "--index-url=/,
    ],
    [
      "an unknown git auth method",
      "getDefaultGitAuthOrder",
      `["ftp"]`,
      /invalid git authentication order \["ftp"\]/,
    ],
  ] as const
) {
  Deno.test(`a site config returning ${what} is refused with a clear error`, async () => {
    await using m = await pluginMachine();
    await withSite(
      m,
      `import { SiteConfig } from "@ivpm/plugin";
export class Bad extends SiteConfig {
  static override name = "bad";
  override ${method}(): any {
    return ${value};
  }
}
`,
    );
    const r = await m.run(["show", "site-config"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /site config 'bad' \(/);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /bug in ivpm/);
  });
}

Deno.test("a site config exported as a zero-argument factory is registered and used", async () => {
  await using m = await pluginMachine();
  await withSite(
    m,
    `import { SiteConfig } from "@ivpm/plugin";
class AcmeSite extends SiteConfig {
  static override name = "acme";
  static override description = "made by a factory";
  override async getDefaultCacheDir(): Promise<string> {
    return await Promise.resolve("/opt/acme/cache");
  }
}
export function acme(): SiteConfig {
  return new AcmeSite();
}
export function helper(x: number): number {
  return x;
}
`,
  );
  const shown = JSON.parse((await ok(m, ["show", "site-config", "--json"])).stdout);
  assert.equal(shown.active, "acme");
  assert.equal(shown.settings.cacheDir, "/opt/acme/cache");
});
