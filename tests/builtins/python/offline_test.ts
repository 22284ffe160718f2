/**
 * The python handler on air-gapped and mirrored sites: an unreachable index
 * fails at once with a hint instead of half a minute of pip retries, a
 * setup.py-only source package installs editable without `wheel` and without
 * an index, and `with.python` points pip at a site mirror.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { indexArgs, indexSettings } from "../../../plugins/python/index_args.ts";
import { buildDists, startSimpleIndex } from "../../_helpers/python_index.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";
import {
  cliEnv,
  type DepEntry,
  depSets,
  readLockJson,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
} from "../../_helpers/update_project.ts";

const SKIP = Deno.build.os === "windows";

/** A loopback URL nothing listens on: connections are refused at once. */
function refusingUrl(): string {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return `http://127.0.0.1:${port}/simple/`;
}

/**
 * The CLI environment: pip pointed at `indexUrl` only, pip's own settings from
 * this machine removed (no find-links, retries or timeouts: the handler must
 * choose them), ivpm's self-install off.
 */
function env(indexUrl: string, pipLog: string): Record<string, string> {
  const e = cliEnv({
    PIP_INDEX_URL: indexUrl,
    PIP_NO_CACHE_DIR: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_INPUT: "1",
    PIP_LOG: pipLog,
    IVPM_PYTHON_NO_SELF_INSTALL: "1",
  });
  for (const k of ["PIP_FIND_LINKS", "PIP_RETRIES", "PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT", "IVPM_PYTHON"]) {
    delete e[k];
  }
  return e;
}

function project(deps: DepEntry[], python: Record<string, unknown> = {}) {
  return { name: "proj", with: { python }, "dep-sets": depSets({ default: deps }) };
}

async function venvRun(proj: string, code: string): Promise<string> {
  const r = await new Deno.Command(join(proj, "packages", "python", "bin", "python"), {
    args: ["-c", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(r.code, 0, dec.decode(r.stderr));
  return dec.decode(r.stdout).trim();
}

Deno.test({
  name:
    "offline 1: an unreachable index fails after one attempt per request, with the --skip-py-install hint",
  ignore: SKIP,
  async fn() {
    const tmp = await tempRoot("ivpm-py-offline-");
    try {
      const proj = await writeIvpmYaml(
        join(tmp.path, "proj"),
        project([{ name: "tinylib", src: "pypi" }]),
      );
      const pipLog = join(tmp.path, "pip.log");
      const r = await runIvpm(proj, ["update", "--py-pip"], env(refusingUrl(), pipLog));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no Python package index is reachable.*--skip-py-install/, r.stderr);
      assert.match(r.stderr, /the package index is not reachable/, r.stderr); // the seeding warning
      const log = await Deno.readTextFile(pipLog);
      assert.match(log, /Connection refused|NewConnectionError/);
      // pip retries a refused connection 5 times by default (with back-off): none here.
      assert.doesNotMatch(log, /Retrying \(Retry\(/);
    } finally {
      await tmp.dispose();
    }
  },
});

Deno.test({
  name: "offline 2: a setup.py-only source package installs editable into a venv without wheel, offline",
  ignore: SKIP,
  async fn() {
    const tmp = await tempRoot("ivpm-py-develop-");
    try {
      const src = join(tmp.path, "spkg");
      await Deno.mkdir(join(src, "spkg"), { recursive: true });
      await Deno.writeTextFile(
        join(src, "setup.py"),
        'from setuptools import setup\nsetup(name="spkg", version="0.4", packages=["spkg"])\n',
      );
      await Deno.writeTextFile(join(src, "spkg", "__init__.py"), "VERSION = '0.4'\n");
      const proj = await writeIvpmYaml(
        join(tmp.path, "proj"),
        project([{ name: "spkg", src: "dir", url: src }]),
      );
      const r = await runIvpm(proj, ["update", "--py-pip"], env(refusingUrl(), join(tmp.path, "pip.log")));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await venvRun(proj, "import importlib.util as u; print(u.find_spec('wheel') is None)"),
        "True",
      );
      const file = await venvRun(proj, "import spkg; print(spkg.__file__)");
      // Editable: imported from the package's own tree, not copied into the venv.
      assert.ok(!file.startsWith(join(proj, "packages", "python")), file);
      assert.ok(file.endsWith(join("spkg", "__init__.py")), file);
      const lock = await readLockJson(proj) as unknown as { python_packages: Record<string, string> };
      assert.equal(lock.python_packages.spkg, "0.4");
    } finally {
      await tmp.dispose();
    }
  },
});

Deno.test({
  name:
    "offline 3: with.python index-url is used for the install, and a bad value is refused before pip runs",
  ignore: SKIP,
  async fn() {
    const tmp = await tempRoot("ivpm-py-mirror-");
    const files = join(tmp.path, "index");
    await Deno.mkdir(files);
    const mirror = await startSimpleIndex(await buildDists(files, [{ name: "tinylib", version: "1.5" }]));
    const configured = startHttpServer({}); // PIP_INDEX_URL: must not be asked
    try {
      const deps = [{ name: "tinylib", src: "pypi" }];
      const proj = await writeIvpmYaml(
        join(tmp.path, "proj"),
        project(deps, { "index-url": mirror.indexUrl }),
      );
      const e = env(`${configured.url}/simple/`, join(tmp.path, "pip.log"));
      const r = await runIvpm(proj, ["update", "--py-pip"], e);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(mirror.requests.some((q) => q.path === "/simple/tinylib/"), JSON.stringify(mirror.requests));
      assert.deepEqual(configured.requests.map((q) => q.path), []);
      const lock = await readLockJson(proj) as unknown as { python_packages: Record<string, string> };
      assert.equal(lock.python_packages.tinylib, "1.5");

      for (const bad of [`${mirror.indexUrl}\n--trusted-host x`, "--pre"]) {
        await writeIvpmYaml(join(tmp.path, "proj"), project(deps, { "find-links": [bad] }));
        const refused = await runIvpm(proj, ["update", "--py-pip", "--force-py-install"], e);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(
          refused.stderr,
          /package\.with\.python\.find-links .* is not a URL or path/,
          refused.stderr,
        );
      }
    } finally {
      await mirror.close();
      await configured.close();
      await tmp.dispose();
    }
  },
});

Deno.test("offline 3b: index settings become pip arguments, in order", () => {
  const s = indexSettings({
    "index-url": "https://mirror.example/simple",
    "extra-index-url": ["https://b.example/simple"],
    "find-links": ["/opt/wheels"],
  });
  assert.deepEqual(indexArgs(s), [
    "--index-url",
    "https://mirror.example/simple",
    "--extra-index-url",
    "https://b.example/simple",
    "--find-links",
    "/opt/wheels",
  ]);
  assert.deepEqual(indexArgs(indexSettings({})), []);
  assert.throws(() => indexSettings({ "index-url": "-i" }), /not a URL or path/);
});

Deno.test({
  name: "offline 3c: a site config's python package index (a site mirror) is used when the project sets none",
  ignore: SKIP,
  async fn() {
    const tmp = await tempRoot("ivpm-py-site-mirror-");
    const files = join(tmp.path, "index");
    await Deno.mkdir(files);
    const mirror = await startSimpleIndex(await buildDists(files, [{ name: "tinylib", version: "1.6" }]));
    const configured = startHttpServer({}); // PIP_INDEX_URL: must not be asked
    try {
      const configHome = join(tmp.path, "config");
      await Deno.mkdir(join(configHome, "ivpm"), { recursive: true });
      await Deno.writeTextFile(
        join(configHome, "ivpm", "site.ts"),
        `import { type PythonPackageIndex, SiteConfig } from "@ivpm/plugin";
export class Mirror extends SiteConfig {
  static override name = "mirror";
  override getPythonPackageIndex(): PythonPackageIndex {
    return { indexUrl: ${JSON.stringify(mirror.indexUrl)} };
  }
}
`,
      );
      await Deno.writeTextFile(join(configHome, "ivpm", "config.yaml"), "plugins:\n  - ./site.ts\n");
      const proj = await writeIvpmYaml(join(tmp.path, "proj"), project([{ name: "tinylib", src: "pypi" }]));
      const e = {
        ...env(`${configured.url}/simple/`, join(tmp.path, "pip.log")),
        XDG_CONFIG_HOME: configHome,
        IVPM_PLUGIN_CACHE: join(tmp.path, "plugin-cache"),
        IVPM_SITE_CONFIG_FILE: join(tmp.path, "no-site.yaml"),
        CI: "",
      };
      const r = await runIvpm(proj, ["update", "--py-pip"], e);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(mirror.requests.some((q) => q.path === "/simple/tinylib/"), JSON.stringify(mirror.requests));
      assert.deepEqual(configured.requests.map((q) => q.path), []);
      const lock = await readLockJson(proj) as unknown as { python_packages: Record<string, string> };
      assert.equal(lock.python_packages.tinylib, "1.6");
    } finally {
      await mirror.close();
      await configured.close();
      await tmp.dispose();
    }
  },
});
