/**
 * The published types accept what the docs allow (checked by `deno task check`, which type-checks
 * tests/): async site-config methods, phase names in any case, a site-config factory.
 */

import assert from "node:assert/strict";
import { type HandlerClass, PackageHandler, SiteConfig } from "@ivpm/plugin";
import { siteSettings } from "../../core/plugin_api/site_config.ts";
import { normalizePhase } from "../../core/plugin_api/phase.ts";

class AsyncSite extends SiteConfig {
  static override name = "async-site";
  override async getDefaultCacheDir(): Promise<string> {
    return await Promise.resolve("/opt/acme/cache");
  }
  override async getIvpmInstallArgs(): Promise<string[]> {
    return await Promise.resolve([]);
  }
  override async getDefaultGitAuthOrder(): Promise<string[]> {
    return await Promise.resolve(["ssh"]);
  }
}

class Upper extends PackageHandler {
  static override name = "upper";
  static override phase = "INSTALL" as const;
}

class Capital extends PackageHandler {
  static override name = "capital";
  static override phase = "Finalize" as const;
}

Deno.test("async site-config methods are awaited", async () => {
  assert.deepEqual(await siteSettings(new AsyncSite()), {
    cacheDir: "/opt/acme/cache",
    installArgs: [],
    gitAuthOrder: ["ssh"],
    pythonIndex: {},
  });
});

Deno.test("a phase name in any case is a valid declaration", () => {
  const classes: HandlerClass[] = [Upper, Capital];
  assert.deepEqual(classes.map((c) => normalizePhase(c.phase)), ["install", "finalize"]);
});
