/**
 * install.sh against a loopback server serving fake release assets: it picks the asset for this OS/arch,
 * verifies it against SHA256SUMS, installs to IVPM_INSTALL, and says how to put it on PATH; a checksum
 * mismatch installs nothing.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHttpServer } from "../_helpers/http_server.ts";
import { exists } from "../_helpers/update_project.ts";

const INSTALL_SH = fileURLToPath(new URL("../../install.sh", import.meta.url));

function hostAsset(): string {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  return `ivpm-${arch}-${Deno.build.os === "darwin" ? "apple-darwin" : "unknown-linux-gnu"}`;
}

const FAKE_BINARY = "#!/bin/sh\necho 'ivpm 9.9.9 (fake)'\n";

async function install(sums: (hash: string, asset: string) => string) {
  const asset = hostAsset();
  const hash = createHash("sha256").update(FAKE_BINARY).digest("hex");
  const server = startHttpServer({
    [`/rel/${asset}`]: () => new Response(FAKE_BINARY),
    "/rel/SHA256SUMS": () => new Response(sums(hash, asset)),
  });
  const home = await Deno.makeTempDir({ prefix: "ivpm-install-" });
  try {
    const bin = join(home, "bin");
    const r = await new Deno.Command("sh", {
      args: [INSTALL_SH],
      env: { HOME: home, IVPM_INSTALL: bin, IVPM_DOWNLOAD_URL: `${server.url}/rel/`, PATH: "/usr/bin:/bin" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const installed = join(bin, "ivpm");
    const run = (await exists(installed))
      ? new TextDecoder().decode((await new Deno.Command(installed).output()).stdout)
      : undefined;
    return {
      code: r.code,
      stderr: new TextDecoder().decode(r.stderr),
      run,
      bin,
      requested: server.requests.map((q) => q.path),
    };
  } finally {
    await server.close();
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("install.sh installs this machine's asset after checking SHA256SUMS and says how to add it to PATH", async () => {
  const r = await install((hash, asset) => `${"0".repeat(64)}  ivpm-other\n${hash}  ${asset}\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.requested, [`/rel/${hostAsset()}`, "/rel/SHA256SUMS"]);
  assert.equal(r.run, "ivpm 9.9.9 (fake)\n");
  assert.match(r.stderr, new RegExp(`installed ${r.bin}/ivpm`));
  assert.match(r.stderr, new RegExp(`export PATH="${r.bin}:\\$PATH"`));
});

Deno.test("install.sh refuses an asset whose checksum does not match and installs nothing", async () => {
  const r = await install((_hash, asset) => `${"a".repeat(64)}  ${asset}\n`);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /checksum mismatch for ivpm-.* \(expected a{64}, got [0-9a-f]{64}\); nothing was installed/,
  );
  assert.equal(r.run, undefined);
});

Deno.test("install.sh reports a release without this machine's asset", async () => {
  const r = await install(() => "");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SHA256SUMS lists no checksum for ivpm-/);
  assert.equal(r.run, undefined);
});
