import { equal } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ivpmYamlDoc } from "../../scripts/ivpm_yaml_doc.ts";

Deno.test("docs/ivpm-yaml.md documents every key the loader accepts, each with an example", async () => {
  // ivpmYamlDoc throws when a key of the schema has no entry or no example.
  const text = ivpmYamlDoc();
  const file = fileURLToPath(new URL("../../docs/ivpm-yaml.md", import.meta.url));
  equal(
    await Deno.readTextFile(file),
    text + "\n",
    "docs/ivpm-yaml.md is out of date; regenerate it with: deno run -A scripts/ivpm_yaml_doc.ts > docs/ivpm-yaml.md",
  );
});
