/**
 * A small fake module system for tests: a `modulecmd` (Environment Modules
 * 4.x or 3.x) or `lmod` program, written in Python, that speaks the real
 * protocol — `<cmd> python path|show|--version <module>` with the real tools'
 * output on the real streams (captured from Environment Modules 5.2 / Lmod
 * 8.6, whose formats 4.x shares) — over a real MODULEPATH of Tcl modulefiles.
 * Every invocation is appended to a log so tests can check how it was called.
 *
 * @module
 */

import { dirname, join } from "node:path";

/** Which tool the fake plays. */
export type FakeFlavor = "modules-4x" | "modules-3x" | "lmod";

const SCRIPT = String.raw`
import json, os, re, sys

FLAVOR = __FLAVOR__
argv = sys.argv[1:]
log = os.environ.get("FAKE_MODULECMD_LOG")
if log:
    with open(log, "a") as f:
        f.write(json.dumps([sys.argv[0]] + argv) + "\n")

def out(s): sys.stdout.write(s)
def err(s): sys.stderr.write(s)

if FLAVOR == "lmod":
    if not argv or argv[0] != "python" and argv[0] != "--version":
        err("lmod: unknown shell\n"); sys.exit(1)
else:
    if not argv or argv[0] != "python":
        err("ERROR: Unknown shell type '(%s)'\n" % (argv[0] if argv else "")); sys.exit(1)
args = argv[1:] if argv and argv[0] == "python" else argv

if args and args[0] in ("--version", "-V"):
    if FLAVOR == "lmod":
        err("\nModules based on Lua: Version 8.6.19  2022-04-16 13:46 -05:00\n    by Robert McLay mclay@tacc.utexas.edu\n\n")
    elif FLAVOR == "modules-3x":
        err("VERSION=3.2.10\nDATE=2012-12-21\n\nAUTOLOADPATH=undef\n")
    else:
        err("Modules Release 4.8.0 (2021-07-14)\n")
    sys.exit(0)

def find(spec):
    for d in os.environ.get("MODULEPATH", "").split(":"):
        if not d: continue
        p = os.path.join(d, spec)
        for c in ([p, p + ".lua"] if FLAVOR == "lmod" else [p]):
            if os.path.isfile(c): return c
        if os.path.isdir(p):
            names = sorted(n for n in os.listdir(p) if not n.startswith("."))
            if names: return os.path.join(p, names[-1])
    return None

def words(line):
    return [a or b or c for a, b, c in re.findall(r'"([^"]*)"|\{([^}]*)\}|(\S+)', line)]

def commands(path):
    vars = {}
    for raw in open(path):
        line = raw.strip()
        if not line or line.startswith("#"): continue
        w = words(line)
        sub = lambda s: re.sub(r"\$\{?(\w+)\}?", lambda m: vars.get(m.group(1), m.group(0)), s)
        w = [w[0]] + [sub(x) for x in w[1:]]
        if w[0] == "set" and len(w) >= 3:
            vars[w[1]] = w[2]; continue
        yield w

def tcl(a): return "{%s}" % a if " " in a else a

if len(args) >= 2 and args[0] in ("path", "show", "display"):
    spec = args[1]
    path = find(spec)
    if FLAVOR == "lmod":
        if args[0] == "path":
            out("_mlstatus = False\n"); err("\nModules based on Lua: Version 8.6.19\n\nmodule [options] sub-command [args ...]\n"); sys.exit(1)
        if path is None:
            out("import os\n_mlstatus = False\n")
            err('Lmod Warning: Failed to find the following module(s): "%s" in your\nMODULEPATH\nTry:\n\n    $ module spider %s\n\n' % (spec, spec))
            sys.exit(1)
        out("import os\n_mlstatus = True\n")
        bar = "-" * 76
        err("%s\n   %s:\n%s\n" % (bar, path, bar))
        lua = {"module-whatis": "whatis", "setenv": "setenv", "prepend-path": "prepend_path", "append-path": "append_path"}
        for w in commands(path):
            if w[0] in lua:
                err("%s(%s)\n" % (lua[w[0]], ",".join('"%s"' % x for x in w[1:])))
        err("\n")
        sys.exit(0)
    if args[0] == "path":
        if FLAVOR == "modules-3x":
            if path and os.environ.get("FAKE_MODULESCRIPT"):
                script = os.path.join(os.environ["FAKE_MODULESCRIPT"], "modulescript_%d" % os.getpid())
                open(script, "w").write("result = []\nresult.append('%s')\n" % path)
                out("execfile('%s')\n" % script)
            elif path: err(path + "\n")
            else: err("ERROR:105: Unable to locate a modulefile for '%s'\n" % spec)
            sys.exit(0)
        out("import os\n_mlstatus = '%s'\n" % (path or ""))
        if path is None: err("ERROR: Unable to locate a modulefile for '%s'\n" % spec)
        sys.exit(0)
    if path is None:
        out("_mlstatus = False\n"); err("ERROR: Unable to locate a modulefile for '%s'\n" % spec); sys.exit(0)
    bar = "-" * 67
    err("%s\n%s:\n\n" % (bar, path))
    for w in commands(path):
        err("%s%s%s\n" % (w[0], "\t\t" if len(w[0]) < 8 else "\t", " ".join(tcl(x) for x in w[1:])))
    err(bar + "\n")
    sys.exit(0)

err("ERROR: Invalid command '%s'\n" % " ".join(args)); sys.exit(1)
`;

let pythonPath: string | undefined;

/** An absolute python3 (the fake runs with a cleared environment, so no shim or PATH lookup). */
export async function python3(): Promise<string> {
  if (pythonPath) return pythonPath;
  const out = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  }).output();
  pythonPath = new TextDecoder().decode(out.stdout).trim() || "/usr/bin/python3";
  return pythonPath;
}

/** Writes the fake tool at `path` (executable); returns `path`. */
export async function writeFakeModulecmd(path: string, flavor: FakeFlavor): Promise<string> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(
    path,
    `#!${await python3()}\n${SCRIPT.replace("__FLAVOR__", JSON.stringify(flavor))}`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

/** Writes a Tcl modulefile `<modulepath>/<spec>` with `body` after the magic cookie. */
export async function writeModulefile(modulepath: string, spec: string, body: string): Promise<string> {
  const file = join(modulepath, spec);
  await Deno.mkdir(dirname(file), { recursive: true });
  await Deno.writeTextFile(file, `#%Module1.0\n${body.trim()}\n`);
  return file;
}

/** A modules world in a temp dir: a MODULEPATH, install prefixes and a place for tools. */
export interface ModulesWorld extends AsyncDisposable {
  root: string;
  /** The MODULEPATH directory. */
  modulepath: string;
  /** Invocation log the fakes append to (one JSON argv per line). */
  logFile: string;
  /** Environment for a module command: MODULEPATH, the log, a minimal PATH, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The argv of every invocation so far. */
  calls(): Promise<string[][]>;
}

/**
 * Creates a modules world with `gcc/15.2.0` (setenv GCC_HOME, prepend-path PATH) installed under
 * `<root>/opt/gcc-15.2.0`.
 */
export async function modulesWorld(): Promise<ModulesWorld> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-modules-" }));
  const modulepath = join(root, "modulefiles");
  const logFile = join(root, "modulecmd.log");
  await Deno.mkdir(join(root, "opt", "gcc-15.2.0", "bin"), { recursive: true });
  await writeModulefile(
    modulepath,
    "gcc/15.2.0",
    `module-whatis "GNU compiler 15.2.0"\nset root ${root}/opt/gcc-15.2.0\nsetenv GCC_HOME $root\n` +
      `prepend-path PATH $root/bin\nprepend-path MANPATH $root/share/man`,
  );
  return {
    root,
    modulepath,
    logFile,
    env: (extra = {}) => ({
      MODULEPATH: modulepath,
      FAKE_MODULECMD_LOG: logFile,
      PATH: "/usr/bin:/bin",
      ...extra,
    }),
    calls: async () =>
      (await Deno.readTextFile(logFile).catch(() => "")).split("\n").filter((l) => l).map((l) =>
        JSON.parse(l)
      ),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}
