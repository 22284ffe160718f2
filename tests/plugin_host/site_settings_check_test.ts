import assert from "node:assert/strict";
import { checkedSiteSettings } from "../../core/plugin_host/site_settings_check.ts";

const DEFAULTS = { cacheDir: "/home/u/.cache/ivpm", installArgs: [], gitAuthOrder: ["gh", "ssh", "https"] };

Deno.test("a site config's python package index is checked: URLs or paths, one line, no options", () => {
  const ok = checkedSiteSettings(
    { pythonIndex: { indexUrl: "https://mirror.example/simple", findLinks: ["/opt/wheels"] } },
    DEFAULTS,
    "'m' (x)",
  );
  assert.deepEqual(ok.pythonIndex, { indexUrl: "https://mirror.example/simple", findLinks: ["/opt/wheels"] });
  for (
    const bad of [{ indexUrl: "-i http://x" }, { indexUrl: "http://x\n--pre" }, { findLinks: "/opt" }, []]
  ) {
    assert.throws(
      () => checkedSiteSettings({ pythonIndex: bad }, DEFAULTS, "'m' (x)"),
      /site config 'm' \(x\) returned an invalid/,
    );
  }
});
