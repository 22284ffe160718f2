/**
 * Python packaging fixtures for tests (PyPI is unreachable here): wheels and
 * sdists built by the test itself, a PEP 503 "simple" index serving them on
 * 127.0.0.1, and the environment that points pip at it and nowhere else.
 *
 * ```ts
 * const dists = await buildDists(dir, [{ name: "tinylib", version: "1.0" }]);
 * const index = startSimpleIndex(dists);
 * try {
 *   // PIP_INDEX_URL=index.url + "/simple/" …
 * } finally {
 *   await index.close();
 * }
 * ```
 *
 * @module
 */

import { basename, join } from "node:path";
import { startHttpServer, type TestServer } from "./http_server.ts";

/** A distribution to build. */
export interface DistSpec {
  name: string;
  version: string;
  /** `wheel` (default) or `sdist` (a setup.py project, built by pip with setuptools). */
  kind?: "wheel" | "sdist";
  /** `Requires-Dist` entries. */
  requires?: string[];
  /** Extra name → its requirements. */
  extras?: Record<string, string[]>;
  /** Files of the distribution (path → text); default `<module>/__init__.py` with `VERSION`. */
  files?: Record<string, string>;
  /** `entry_points.txt` text (wheels). */
  entryPoints?: string;
}

const BUILDER = `
import base64, hashlib, io, json, os, sys, tarfile, zipfile
spec = json.load(open(sys.argv[1]))
out = spec["out"]
made = []
def meta(d):
    lines = ["Metadata-Version: 2.1", "Name: " + d["name"], "Version: " + d["version"]]
    for r in d.get("requires", []):
        lines.append("Requires-Dist: " + r)
    for x, reqs in d.get("extras", {}).items():
        lines.append("Provides-Extra: " + x)
        for r in reqs:
            lines.append('Requires-Dist: %s ; extra == "%s"' % (r, x))
    return "\\n".join(lines) + "\\n"
def files_of(d):
    mod = d["name"].replace("-", "_")
    return d.get("files") or {mod + "/__init__.py": "VERSION = %r\\n" % d["version"]}
for d in spec["dists"]:
    norm = d["name"].replace("-", "_")
    if d.get("kind", "wheel") == "wheel":
        fn = os.path.join(out, "%s-%s-py3-none-any.whl" % (norm, d["version"]))
        di = "%s-%s.dist-info/" % (norm, d["version"])
        records = []
        with zipfile.ZipFile(fn, "w") as z:
            def add(arc, data):
                data = data.encode() if isinstance(data, str) else data
                z.writestr(arc, data)
                h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                records.append("%s,sha256=%s,%d" % (arc, h, len(data)))
            for arc, text in files_of(d).items():
                add(arc, text)
            add(di + "METADATA", meta(d))
            add(di + "WHEEL", "Wheel-Version: 1.0\\nGenerator: ivpm-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
            if d.get("entryPoints"):
                add(di + "entry_points.txt", d["entryPoints"])
            z.writestr(di + "RECORD", "\\n".join(records + [di + "RECORD,,"]) + "\\n")
    else:
        fn = os.path.join(out, "%s-%s.tar.gz" % (d["name"], d["version"]))
        root = "%s-%s/" % (d["name"], d["version"])
        pkgs = sorted({p.split("/")[0] for p in files_of(d) if "/" in p})
        setup = "from setuptools import setup\\nsetup(name=%r, version=%r, packages=%r, install_requires=%r)\\n" % (
            d["name"], d["version"], pkgs, d.get("requires", []))
        with tarfile.open(fn, "w:gz") as t:
            def add(arc, text):
                data = text.encode()
                info = tarfile.TarInfo(root + arc)
                info.size = len(data)
                info.mtime = 0
                t.addfile(info, io.BytesIO(data))
            add("PKG-INFO", meta(d))
            add("setup.py", setup)
            for arc, text in files_of(d).items():
                add(arc, text)
    made.append(fn)
print(json.dumps(made))
`;

/** Builds wheels and sdists into `dir` with `python`; returns their paths. */
export async function buildDists(dir: string, dists: DistSpec[], python = "python3"): Promise<string[]> {
  const specFile = join(dir, ".dists.json");
  const script = join(dir, ".build_dists.py");
  await Deno.writeTextFile(specFile, JSON.stringify({ out: dir, dists }));
  await Deno.writeTextFile(script, BUILDER);
  const r = await new Deno.Command(python, { args: [script, specFile], stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`building test distributions failed:\n${dec.decode(r.stderr)}`);
  await Deno.remove(specFile);
  await Deno.remove(script);
  return JSON.parse(dec.decode(r.stdout));
}

const WHEEL_OF_WHEEL = `
import base64, hashlib, os, sys, zipfile
import importlib.metadata as md
import wheel
d = md.distribution("wheel")
ver = d.version
pkgdir = os.path.dirname(wheel.__file__)
fn = os.path.join(sys.argv[1], "wheel-%s-py3-none-any.whl" % ver)
di = "wheel-%s.dist-info/" % ver
records = []
with zipfile.ZipFile(fn, "w") as z:
    def add(arc, data):
        z.writestr(arc, data)
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        records.append("%s,sha256=%s,%d" % (arc, h, len(data)))
    for root, dirs, files in os.walk(pkgdir):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            p = os.path.join(root, f)
            add(os.path.relpath(p, os.path.dirname(pkgdir)).replace(os.sep, "/"), open(p, "rb").read())
    add(di + "METADATA", ("Metadata-Version: 2.1\\nName: wheel\\nVersion: %s\\n" % ver).encode())
    add(di + "WHEEL", b"Wheel-Version: 1.0\\nGenerator: ivpm-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    add(di + "entry_points.txt", (d.read_text("entry_points.txt") or "").encode())
    z.writestr(di + "RECORD", "\\n".join(records + [di + "RECORD,,"]) + "\\n")
print(fn)
`;

async function output(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return r.code === 0 ? new TextDecoder().decode(r.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The build tools a venv needs for setup.py projects, as wheels in `dir`:
 * setuptools (the copy bundled with `python`'s ensurepip) and wheel (repacked
 * from any local Python that has it installed — it is not bundled anywhere).
 * `undefined` when this machine has no `wheel` package at all.
 */
export async function buildToolWheels(dir: string, python = "python3"): Promise<string[] | undefined> {
  const bundled = await output(python, [
    "-c",
    "import ensurepip, os; d = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'); " +
    "print('\\n'.join(os.path.join(d, f) for f in os.listdir(d) if f.startswith('setuptools-')))",
  ]);
  const files: string[] = [];
  for (const f of (bundled ?? "").split("\n").filter(Boolean)) {
    const to = join(dir, basename(f));
    await Deno.copyFile(f, to);
    files.push(to);
  }
  const script = join(dir, ".wheel_of_wheel.py");
  await Deno.writeTextFile(script, WHEEL_OF_WHEEL);
  try {
    for (const candidate of [python, "/usr/bin/python3", "python3"]) {
      const made = await output(candidate, [script, dir]);
      if (made) return [...files, made];
    }
    return undefined;
  } finally {
    await Deno.remove(script);
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The project name of a wheel or sdist file name. */
function projectOf(file: string): string {
  const b = basename(file);
  const m = b.endsWith(".whl") ? /^([^-]+)-/.exec(b) : /^(.+)-[^-]+\.tar\.gz$/.exec(b);
  return normalize(m![1]);
}

/** A PEP 503 simple index on 127.0.0.1 serving `files` (`<url>/simple/`). */
export interface SimpleIndex extends TestServer {
  /** The index URL for `PIP_INDEX_URL`. */
  indexUrl: string;
}

/** Serves `files` as a PEP 503 index (with sha256 fragments, as PyPI does). */
export async function startSimpleIndex(files: string[]): Promise<SimpleIndex> {
  const byProject = new Map<string, { name: string; sha: string }[]>();
  const routes: Record<string, () => Response> = {};
  for (const f of files) {
    const data = await Deno.readFile(f);
    const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const name = basename(f);
    routes[`/files/${name}`] = () => new Response(data);
    const list = byProject.get(projectOf(f)) ?? [];
    list.push({ name, sha });
    byProject.set(projectOf(f), list);
  }
  const html = (body: string) =>
    new Response(`<!DOCTYPE html><html><body>\n${body}</body></html>\n`, {
      headers: { "content-type": "text/html" },
    });
  routes["/simple/"] = () =>
    html([...byProject.keys()].map((p) => `<a href="/simple/${p}/">${p}</a><br/>\n`).join(""));
  for (const [project, list] of byProject) {
    routes[`/simple/${project}/`] = () =>
      html(list.map((f) => `<a href="/files/${f.name}#sha256=${f.sha}">${f.name}</a><br/>\n`).join(""));
  }
  const server = startHttpServer(routes);
  return { ...server, indexUrl: `${server.url}/simple/` };
}

/** Environment that makes pip use only `indexUrl`, never a cache or the user's configuration. */
export function pipEnv(indexUrl: string): Record<string, string> {
  return {
    PIP_INDEX_URL: indexUrl,
    PIP_NO_CACHE_DIR: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_CONFIG_FILE: Deno.build.os === "windows" ? "NUL" : "/dev/null",
    PIP_RETRIES: "0",
    PIP_TIMEOUT: "10",
    PIP_NO_INPUT: "1",
  };
}
