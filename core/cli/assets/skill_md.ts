/** The agent skill document shipped with ivpm (written to the share dir by `ivpm share`). */
export const skillMd = `---
name: ivpm
description: Use ivpm to fetch a project's dependencies into packages/ and build its environment views.
---

# ivpm

- \`ivpm update\` fetches every dependency of the selected dep-set into \`packages/\`, writes
  \`packages/package-lock.json\` and runs the handlers (python venv, direnv, node, agents, fusesoc, modules).
- \`ivpm status\` shows each package's branch, changes and whether it matches the lock.
- \`ivpm show deps --tree\` prints the dependency graph; \`ivpm show --schema\` the ivpm.yaml schema.
- Configuration lives in \`ivpm.yaml\` (\`package.dep-sets[].deps[]\`).
`;
