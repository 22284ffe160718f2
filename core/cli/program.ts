/**
 * The command tree. Commands are thin: they parse flags here and call into
 * `core/commands`, which call the core.
 *
 * @module
 */

import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { VERSION } from "../base/version.ts";
import { UsageError } from "../base/errors.ts";
import { closestMatch } from "../util/suggest.ts";
import { parseByteSize } from "../util/byte_size.ts";
import { activeHandlerRegistry } from "../plugin_host/active.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import { addHandlerOptions } from "./commands/handler_options.ts";
import { shareDir } from "./commands/share.ts";
import { addHelpExamples } from "./help_examples.ts";

const collect = (v: string, prev: string[]) => [...prev, v];
const count = (_v: string, prev: number) => prev + 1;
const int = (name: string) => (v: string) => {
  const n = Number(v);
  // InvalidArgumentError makes commander report it as a usage error (exit 2), not a crash.
  if (v.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
  }
  return n;
};

const positive = (name: string) => (v: string) => {
  const n = int(name)(v);
  if (n === 0) throw new InvalidArgumentError(`${name} must be at least 1, got '${v}'`);
  return n;
};

/** A size (`8G`, `500M`, bytes), kept as written: it is handed on as its environment variable. */
const size = (name: string) => (v: string) => {
  if (parseByteSize(v) === undefined) {
    throw new InvalidArgumentError(`${name} must be a size such as 8G or 500M, got '${v}'`);
  }
  return v.trim();
};

/** A word after a command that takes sub-commands but matched none of them: a usage error with a suggestion. */
function unknownSubcommand(parent: Command, word: string): never {
  const names = parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  const near = closestMatch(word, names);
  throw new UsageError(
    `Unknown command '${word}' for 'ivpm ${parent.name()}'${near ? `; did you mean '${near}'?` : ""}`,
    `run 'ivpm ${parent.name()} --help' for usage`,
  );
}

/** Sub-command options a handler may extend (`addOptions`), keyed by command name. */
export type CommandMap = Record<string, Command>;

/** Builds the `ivpm` program. `commands` receives each sub-command by name for handler options. */
export function buildProgram(
  commands: CommandMap = {},
  handlers: HandlerRegistry = activeHandlerRegistry(),
): Command {
  const program = new Command("ivpm")
    .description("Project-local, polyglot package manager with a handler pipeline")
    .version(VERSION, "-V, --version", "print the version and exit")
    .addOption(
      new Option("--log-level <level>", "developer log level").choices(["INFO", "DEBUG", "WARN", "NONE"])
        .default(
          "NONE",
        ),
    )
    .option("-v, --verbose", "more detail (repeatable)", count, 0)
    .option("-q, --quiet", "only errors")
    .option("--frozen", "refuse to resolve plugins that are not pinned (default when CI=true)")
    .option("--no-rich", "plain output: no colour, no live status line (also after the sub-command)")
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    // Sub-command lists are alphabetical at every level, as in the original; inherited by each sub-command.
    .configureHelp({ sortSubcommands: true })
    .addHelpText(
      "after",
      `\nEnvironment: IVPM_CACHE, IVPM_VAR_<NAME>, IVPM_SITE_CONFIG_NAME, NO_COLOR\n` +
        `Agent skill documentation: ${shareDir()}/skill.md`,
    );
  const sub = (name: string, description: string) => {
    const c = program.command(name).description(description).showSuggestionAfterError(true);
    commands[name] = c;
    return c;
  };
  const project = (c: Command) => c.option("-p, --project-dir <dir>", "project directory (default: current)");

  project(sub("activate", "start a shell (or run a command) in the project environment"))
    .option("-c <cmd>", "run this command instead of an interactive shell")
    .argument("[args...]", "arguments passed to the shell or command")
    .action(async (args, o) => (await import("./commands/activate.ts")).activate(args, o));

  project(sub("build", "build packages through each handler's build step"))
    .option("-d, --dep-set <name>", "dep-set to build")
    .option("-g, --debug", "debug build")
    .action(async (o) => (await import("./commands/build.ts")).build(o));

  const cache = sub("cache", "manage the shared package cache");
  cache.command("init").description("create a cache directory")
    .argument("<dir>", "cache directory")
    .option("-s, --shared", "make it group-shared (setgid)")
    .option("-f, --force", "reinitialise an existing directory")
    .action(async (dir, o) => (await import("./commands/cache.ts")).cacheInit(dir, o));
  cache.command("info").description("show what the cache holds")
    .option("-c, --cache-dir <dir>", "cache directory (default: IVPM_CACHE or the site default)")
    .option("-v, --verbose", "list every version")
    .option("--json", "print JSON")
    .action(async (o) => (await import("./commands/cache.ts")).cacheInfo(o));
  cache.command("clean").description("remove entries not used for a while")
    .option("-c, --cache-dir <dir>", "cache directory (default: IVPM_CACHE or the site default)")
    .option("-d, --days <n>", "remove entries unused for this many days", int("--days"), 7)
    .option("-n, --dry-run", "show what would be removed")
    .option("--json", "print JSON")
    .action(async (o) => (await import("./commands/cache.ts")).cacheClean(o));

  (sub("clone", "clone a project and fetch its dependencies")
    .argument("<src>", "git URL of the project")
    .argument("[workspace-dir]", "directory to clone into (default: repository name)")
    .option("-a, --anonymous", "use the URL as written (no SSH rewrite)")
    .option("-b, --branch <branch>", "branch to check out (created when it does not exist)")
    .option("-d, --dep-set <name>", "dep-set to update")
    .option("-D, --define <VAR=VALUE>", "set a variable (repeatable)", collect, [])
    .option("-j, --jobs <n>", "parallel fetches", int("--jobs"))).action(async (src, dir, o) =>
      (await import("./commands/clone.ts")).clone(src, dir, o)
    );

  sub("completions", "print a shell completion script (bash, zsh, fish, powershell)")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh", "fish", "powershell"]))
    .action(async (shell) => {
      const { completionScript } = await import("./completions.ts");
      (await import("../ui/log.ts")).outRaw(completionScript(program, shell));
    });

  project(sub("destroy", "remove what update and the handlers created (packages, venv, generated files)"))
    .option("-n, --dry-run", "show what would be removed")
    .option("--force", "also remove packages holding uncommitted or unpushed work")
    .option("--json", "print JSON")
    .action(async (o) => (await import("./commands/destroy.ts")).destroy(o));

  sub("init", "create an ivpm.yaml in the current directory")
    .argument("<name>", "project name")
    .option("-v, --version <version>", "project version", "0.0.1")
    .option("-f, --force", "overwrite an existing ivpm.yaml")
    .action(async (name, o) => (await import("./commands/init.ts")).init(name, o));

  project(sub("pkg-info", "print include dirs, paths, libs or flags of packages"))
    .addArgument(
      new Argument("<type>", "what to print").choices(["incdirs", "paths", "libdirs", "libs", "flags"]),
    )
    .argument("<pkgs...>", "package names")
    .option("-k, --kind <kind>", "kind of paths (a key under package.paths)")
    .action(async (t, p, o) => (await import("./commands/pkg_info.ts")).pkgInfoCommand(t, p, o));

  const plugin = sub("plugin", "manage handler, source and site-config plugins");
  const perms = (c: Command) =>
    c.option("--allow-read <paths...>", "grant read access")
      .option("--allow-write <paths...>", "grant write access")
      .option("--allow-run <programs...>", "grant running programs")
      .option("--allow-net <hosts...>", "grant network access")
      .option("--allow-env <names...>", "grant environment variables");
  perms(plugin.command("add").description("add a plugin (jsr:, https:, npm: or a local path)"))
    .argument("<spec>", "plugin spec")
    .option("--user", "add to the user config (~/.config/ivpm/config.yaml)")
    .option("--site", "add to the site config (/etc/ivpm/config.yaml)")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .action(async (spec, o) => (await import("./commands/plugin.ts")).pluginAdd(spec, o));
  plugin.command("remove").description("remove a plugin").argument("<name>", "spec or package name")
    .option("--user", "from the user config").option("--site", "from the site config")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .action(async (n, o) => (await import("./commands/plugin.ts")).pluginRemove(n, o));
  plugin.command("list").description("list plugins").option("--json", "print JSON")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .action(async (o) => (await import("./commands/plugin.ts")).pluginList(o));
  plugin.command("update").description("update plugin pins within their version ranges").argument("[name]")
    .option("--latest", "move to the newest version, rewriting the range (^<version>)")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .action(async (n, o) => (await import("./commands/plugin.ts")).pluginUpdate(n, o));
  plugin.command("check").description("re-fetch plugins and compare with the pins (for CI)")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .action(async (o) => (await import("./commands/plugin.ts")).pluginCheck(o));

  sub("share", "print the path of ivpm's shared data directory")
    .argument("[path...]", "path components to append")
    .action(async (p) => (await import("./commands/share.ts")).share(p));

  const show = sub("show", "show sources, types, handlers, dependencies or the ivpm.yaml schema")
    .argument("[what]", "what to show (a sub-command below)")
    .option("--schema", "print the JSON Schema of ivpm.yaml")
    .option("--json", "print JSON")
    .action(async (what, o) => {
      if (what !== undefined) unknownSubcommand(show, what);
      (await import("./commands/show.ts")).showAll(o);
    });
  show.command("source").alias("src").description("list source types").argument("[name]")
    .option("--json", "print JSON").action(async (n, o) =>
      (await import("./commands/show.ts")).showSource(n, o)
    );
  show.command("type").description("list content types").argument("[name]")
    .option("--json", "print JSON").action(async (n, o) =>
      (await import("./commands/show.ts")).showType(n, o)
    );
  show.command("handler").description("list handlers, or their resolved order").argument("[name]")
    .option("--order", "print the resolved execution order")
    .option("--json", "print JSON").action(async (n, o) =>
      (await import("./commands/show_handler.ts")).showHandler(n, o)
    );
  project(show.command("deps").description("show the resolved dependency graph").argument("[name]"))
    .option("-d, --dep-set <name>", "dep-set (default: as update would choose)")
    .option("-t, --tree", "print a tree")
    .option("--json", "print JSON")
    .option("--dot", "print Graphviz dot")
    .option("-o, --output <file>", "write to a file")
    .action(async (n, o) => (await import("./commands/show_deps.ts")).showDeps(n, o));
  show.command("plugin").description("show what a plugin registers").argument("<name>")
    .option("--json", "print JSON").option("-p, --project-dir <dir>", "project directory")
    .action(async (n, o) => (await import("./commands/plugin.ts")).showPlugin(n, o));
  show.command("site-config").description("show site configurations and effective settings").argument(
    "[name]",
  )
    .option("--json", "print JSON").action(async (n, o) =>
      (await import("./commands/show_site_config.ts")).showSiteConfig(n, o)
    );

  sub("snapshot", "copy the project and every dependency at the locked revisions into a directory")
    .argument("<dir>", "snapshot directory")
    .option("-p, --project-dir <dir>", "project directory (default: current)")
    .option("-r, --rls-deps", "use release dependencies")
    .action(async (dir, o) => (await import("./commands/snapshot.ts")).snapshot(dir, o));

  project(sub("status", "show the state of each package (branch, changes, lock match)"))
    .option("-v, --verbose", "list changed files", count, 0)
    .option("--json", "print JSON")
    .action(async (o) => (await import("./commands/status.ts")).status(o));

  project(sub("sync", "fetch and merge upstream changes into writable git packages"))
    .option("-n, --dry-run", "report what would happen")
    .option("-j, --jobs <n>", "parallel jobs (0 = cores)", int("--jobs"))
    .option("--packages <names>", "only these packages (comma-separated)")
    .option("--summary <file>", "write a markdown summary")
    .option("-v, --verbose", "more detail", count, 0)
    .option("--json", "print JSON")
    .action(async (o) => (await import("./commands/sync.ts")).sync(o));

  (project(sub("update", "fetch dependencies, write the lock file, run the handlers"))
    .option("-d, --dep-set <name>", "dep-set to use")
    .option("-D, --define <VAR=VALUE>", "set a variable (repeatable)", collect, [])
    .option("-j, --jobs <n>", "parallel fetches (default: cores)", int("--jobs"))
    .option("-a, --anonymous-git", "use git URLs as written (no SSH rewrite)")
    .option("--lock-file <path>", "reproduce the workspace recorded in this lock file")
    .option("--deps-source <dir>", "reuse packages from another deps dir (repeatable)", collect, [])
    .option("--trust-deps-source", "match deps-source packages by name only")
    .addOption(
      new Option("--deps-source-mode <mode>", "link or copy deps-source packages").choices([
        "link",
        "copy",
      ]),
    )
    .option("--no-worktree-deps-source", "do not reuse the main worktree's packages")
    .option("--refresh-all", "re-fetch / fast-forward every package")
    .option("--force", "like --refresh-all, and override local-change safety checks")
    .option("--prune", "delete directories of packages no longer declared")
    .option(
      "--handler-timeout <seconds>",
      "stop a plugin callback running longer (default: 600 leaf, 1800 root; env IVPM_HANDLER_TIMEOUT)",
      positive("--handler-timeout"),
    )
    .option(
      "--http-timeout <seconds>",
      "give up on an HTTP download after this long without data (default 60; env IVPM_HTTP_TIMEOUT)",
      positive("--http-timeout"),
    )
    .option(
      "--http-retries <n>",
      "retries of a failed HTTP download (default 3; env IVPM_HTTP_RETRIES)",
      int("--http-retries"),
    )
    .option(
      "--max-unpacked-size <size>",
      "refuse an archive unpacking to more (default 8G; 0 = no limit; env IVPM_MAX_UNPACKED_SIZE)",
      size("--max-unpacked-size"),
    )
    .option(
      "--max-expansion-ratio <n>",
      "refuse an archive unpacking to more than n times its size, past 64 MiB (default 200; 0 = no limit; " +
        "env IVPM_MAX_EXPANSION_RATIO)",
      int("--max-expansion-ratio"),
    )
    .option(
      "--max-unpacked-entries <n>",
      "refuse an archive of more entries (default 1000000; 0 = no limit; env IVPM_MAX_UNPACKED_ENTRIES)",
      int("--max-unpacked-entries"),
    )
    .option("-v, --verbose", "more detail", count, 0)
    .option("--json", "print events as NDJSON (one JSON object per line), ending with a summary object")
    .option("--timings", "print where the time went (start-up, config, fetch, leaf, root handlers, lock)"))
    .action(async (o) => (await import("./commands/update.ts")).update(o));

  addHandlerOptions(commands, handlers);
  addHelpExamples(program);
  return program;
}
