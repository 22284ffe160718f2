/**
 * The examples and docs link at the end of each command's `--help`.
 *
 * @module
 */

import type { Command } from "commander";
import { REPOSITORY, VERSION } from "../base/version.ts";

const REPO = `${REPOSITORY}/blob/v${VERSION}`;

/** Examples by command path (`show deps`), and the page that documents the command. */
const HELP: Record<string, { examples: string[]; doc: string }> = {
  "": { examples: ["ivpm init myproj", "ivpm update -j 8"], doc: "README.md" },
  activate: { examples: ["ivpm activate", "ivpm activate -c 'python -m pytest'"], doc: "docs/workspace.md" },
  build: { examples: ["ivpm build", "ivpm build -g"], doc: "docs/handlers.md" },
  cache: {
    examples: ["ivpm cache init -s /proj/shared/ivpm-cache", "ivpm cache info"],
    doc: "docs/workspace.md",
  },
  "cache init": { examples: ["ivpm cache init -s /proj/shared/ivpm-cache"], doc: "docs/workspace.md" },
  "cache info": { examples: ["ivpm cache info -v", "ivpm cache info --json"], doc: "docs/workspace.md" },
  "cache clean": { examples: ["ivpm cache clean -n", "ivpm cache clean -d 30"], doc: "docs/workspace.md" },
  clone: {
    examples: ["ivpm clone https://github.com/org/soc.git", "ivpm clone -b feature git@host:org/soc.git ws"],
    doc: "docs/workspace.md",
  },
  completions: {
    examples: [
      "ivpm completions bash > ~/.local/share/bash-completion/completions/ivpm",
      "ivpm completions zsh > ~/.zfunc/_ivpm",
    ],
    doc: "README.md",
  },
  destroy: { examples: ["ivpm destroy -n", "ivpm destroy --force"], doc: "docs/workspace.md" },
  init: { examples: ["ivpm init myproj", "ivpm init -f myproj"], doc: "docs/ivpm-yaml.md" },
  "pkg-info": {
    examples: ["ivpm pkg-info incdirs uart-ip", "ivpm pkg-info paths -k rtl uart-ip"],
    doc: "docs/workspace.md",
  },
  plugin: {
    examples: ["ivpm plugin add jsr:@acme/fusesoc-libs", "ivpm plugin list"],
    doc: "docs/writing-plugins.md",
  },
  "plugin add": {
    examples: [
      "ivpm plugin add jsr:@acme/fusesoc-libs",
      "ivpm plugin add ./tools/lint.ts --allow-run verilator",
    ],
    doc: "docs/writing-plugins.md",
  },
  "plugin remove": { examples: ["ivpm plugin remove fusesoc-libs"], doc: "docs/writing-plugins.md" },
  "plugin list": {
    examples: ["ivpm plugin list", "ivpm plugin list --json"],
    doc: "docs/writing-plugins.md",
  },
  "plugin update": {
    examples: ["ivpm plugin update", "ivpm plugin update fusesoc-libs"],
    doc: "docs/writing-plugins.md",
  },
  "plugin check": { examples: ["ivpm plugin check"], doc: "docs/writing-plugins.md" },
  share: { examples: ["ivpm share", "ivpm share skill.md"], doc: "README.md" },
  show: {
    examples: ["ivpm show deps --tree", "ivpm show --schema > ivpm.schema.json"],
    doc: "docs/ivpm-yaml.md",
  },
  "show source": { examples: ["ivpm show source", "ivpm show source git"], doc: "docs/ivpm-yaml.md" },
  "show type": { examples: ["ivpm show type", "ivpm show type python"], doc: "docs/handlers.md" },
  "show handler": {
    examples: ["ivpm show handler --order", "ivpm show handler python"],
    doc: "docs/handlers.md",
  },
  "show deps": {
    examples: ["ivpm show deps --tree", "ivpm show deps --dot -o deps.dot"],
    doc: "docs/workspace.md",
  },
  "show plugin": { examples: ["ivpm show plugin fusesoc-libs"], doc: "docs/writing-plugins.md" },
  "show site-config": {
    examples: ["ivpm show site-config", "ivpm show site-config --json"],
    doc: "docs/workspace.md",
  },
  snapshot: { examples: ["ivpm snapshot ../soc-snapshot"], doc: "docs/workspace.md" },
  status: { examples: ["ivpm status", "ivpm status -v --json"], doc: "docs/status-sync.md" },
  sync: { examples: ["ivpm sync -n", "ivpm sync --packages libA,libB"], doc: "docs/status-sync.md" },
  update: { examples: ["ivpm update", "ivpm update -d ci --lock-file ci.lock"], doc: "docs/ivpm-yaml.md" },
};

function pathOf(c: Command): string {
  const names: string[] = [];
  for (let cur: Command | null = c; cur?.parent; cur = cur.parent) names.unshift(cur.name());
  return names.join(" ");
}

/**
 * Appends "Examples" and "Docs" to the help of `program` and every sub-command below it.
 *
 * @example
 * ```ts ignore
 * addHelpExamples(buildProgram());
 * ```
 */
export function addHelpExamples(program: Command): void {
  const visit = (c: Command) => {
    const h = HELP[pathOf(c)];
    if (h) {
      c.addHelpText(
        "after",
        `\nExamples:\n${h.examples.map((e) => `  $ ${e}`).join("\n")}\n\nDocs: ${REPO}/${h.doc}`,
      );
    }
    for (const sub of c.commands) visit(sub as Command);
  };
  visit(program);
}
