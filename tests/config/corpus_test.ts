import { deepEqual, equal, ok } from "node:assert/strict";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigFile } from "../../core/config/load.ts";
import { ConfigError, IvpmError } from "../../core/base/errors.ts";
import { renderDiagnostic } from "../../core/base/diagnostics.ts";
import { tempProject } from "../_helpers/config_fixture.ts";

const DIR = fileURLToPath(new URL("../fixtures/bad_yaml", import.meta.url));
/** The one place a time bound is specified: a broken file is rejected within a second. */

/**
 * First diagnostic of each case: [file if not the case itself,] line, column, message start
 * (paths inside messages are relative to the corpus dir). Column 0: any column — where the
 * parser's stack runs out depends on the machine.
 */
const EXPECTED: Record<string, [number, number, string] | [string, number, number, string]> = {
  "alias_as_key.yaml": [3, 3, "Mapping keys must be plain strings"],
  "alias_billion_laughs.yaml": [
    1,
    7,
    "Document expands to too many nodes (more than 200000; YAML aliases nes",
  ],
  "alias_self_reference.yaml": [5, 13, "YAML alias '*loop' refers to a node that contains it"],
  "alias_to_wrong_type.yaml": [1, 1, "Unknown top-level key 'names'"],
  "alias_undefined.yaml": [2, 9, "Unknown YAML alias '*missing'"],
  "binary_garbage.yaml": [1, 8, "File is not valid UTF-8 text (is it a binary file?)"],
  "binary_latin1.yaml": [2, 12, "File is not valid UTF-8 text (is it a binary file?)"],
  "binary_utf16.yaml": [1, 1, "File is not valid UTF-8 text (is it a binary file?)"],
  "deep_flow_nesting.yaml": [5, 0, "Nesting is too deep"],
  "deep_map_nesting.yaml": [4, 406, "Nesting is too deep (more than 100 levels)"],
  "enum_bad_deps_value.yaml": [8, 17, "'deps' of dependency 'lib' must be one of skip, not 'none'"],
  "enum_bad_node_manager.yaml": [
    5,
    16,
    "'package.with.node.manager' must be one of npm, pnpm, yarn, not 'bun'",
  ],
  "enum_bad_src.yaml": [7, 16, "'src' of dependency 'lib' must be one of dir, file, http, git, pypi, u"],
  "enum_bad_venv.yaml": [5, 13, "'package.with.python.venv' must be one of true, false, uv, pip, not 'c"],
  "enum_type_typo.yaml": [8, 17, "Unknown type 'pyhton' in dependency 'lib'; did you mean 'python'?"],
  "include_cycle.yaml": [
    "_inc_cycle_b.yaml",
    2,
    13,
    "Cyclic include: '_inc_cycle_a.yaml' is already on the include chain (i",
  ],
  "include_directory.yaml": [3, 13, "Include file '.' is a directory, not a regular file"],
  "include_duplicate_dep_set.yaml": [
    "_inc_parts.yaml",
    3,
    14,
    "Duplicate dep-set 'default'; previously defined at include_duplicate_d",
  ],
  "include_entry_not_string.yaml": [4, 7, "'include' entries must be file-path strings"],
  "include_missing_file.yaml": [
    3,
    13,
    "Include file 'no_such_file.yaml' does not exist (resolved to no_such_f",
  ],
  "include_not_a_list.yaml": [3, 12, "'include' must be a list of file paths"],
  "include_sets_name.yaml": [
    "_inc_sets_name.yaml",
    2,
    3,
    "Include '_inc_sets_name.yaml' may not set 'name'; package identity is ",
  ],
  "include_with_syntax_error.yaml": [
    "_inc_syntax_error.yaml",
    3,
    1,
    "Flow sequence in block collection must be sufficiently indented and en",
  ],
  "include_without_package.yaml": ["_inc_no_package.yaml", 1, 1, "Included file has no 'package:' mapping"],
  "long_line_error.yaml": [
    1,
    25814,
    "Flow sequence in block collection must be sufficiently indented and en",
  ],
  "sem_default_dep_set_unknown.yaml": [3, 20, "Default dep-set 'dev' is not defined"],
  "sem_dep_name_traversal.yaml": [
    6,
    17,
    "Dependency '../../etc': invalid package name (it becomes a directory u",
  ],
  "sem_dep_name_into_package.yaml": [
    7,
    18,
    "Dependency 'libA/.git/config': invalid package name (it becomes a dire",
  ],
  "sem_dep_name_nested_collision.yaml": [
    10,
    18,
    "Dependency 'libA/sub' collides with 'libA' in dep-set 'default': 'libA",
  ],
  "sem_dep_name_reserved.yaml": [
    6,
    18,
    "Dependency 'packages.envrc': invalid package name (it becomes a direct",
  ],
  "sem_dep_with_block.yaml": [
    8,
    11,
    "Dependency 'lib': 'with:' is no longer supported on dependencies; use ",
  ],
  "sem_deps_dir_escapes.yaml": [
    3,
    13,
    "'deps-dir' must be a relative path inside the project, not '../outside",
  ],
  "sem_duplicate_dep_set.yaml": [
    6,
    13,
    "Duplicate dep-set 'default'; previously defined at sem_duplicate_dep_s",
  ],
  "sem_duplicate_package.yaml": [
    7,
    18,
    "Duplicate package 'six' in dep-set 'default'; previously specified at ",
  ],
  "sem_key_of_other_source.yaml": [
    8,
    11,
    "Dependency 'lib': key 'branch' does not apply to src 'http' (it is for",
  ],
  "sem_missing_name.yaml": [2, 3, "Missing 'name' in package"],
  "sem_old_style_deps.yaml": [3, 3, "'deps' is the old ivpm.yaml format; move dependencies into 'dep-sets'"],
  "sem_tag_and_commit.yaml": [9, 11, "Dependency 'lib': give either 'tag' or 'commit', not both"],
  "sem_undetectable_source.yaml": [
    7,
    16,
    "Dependency 'lib': cannot determine the source type from url 'ftp://exa",
  ],
  "sem_uses_cycle.yaml": [5, 23, "Cyclic dep-set inheritance: a -> b -> a"],
  "sem_uses_unknown.yaml": [4, 23, "Dep-set 'a' uses unknown dep-set 'base'"],
  "shape_empty.yaml": [1, 1, "Empty ivpm.yaml file"],
  "shape_merge_key.yaml": [3, 3, "YAML merge keys ('<<') are not supported in ivpm.yaml"],
  "shape_no_package.yaml": [1, 1, "Unknown top-level key 'pakage'; did you mean 'package'?"],
  "shape_non_string_key.yaml": [2, 5, "Mapping keys must be plain strings"],
  "shape_null_key.yaml": [2, 3, "Mapping keys must be plain strings"],
  "shape_only_comments.yaml": [1, 1, "Empty ivpm.yaml file"],
  "shape_package_is_empty.yaml": [1, 9, "'package' must be a mapping"],
  "shape_package_is_list.yaml": [2, 3, "'package' must be a mapping"],
  "shape_package_is_string.yaml": [1, 10, "'package' must be a mapping"],
  "shape_prototype_keys.yaml": [3, 3, "Unknown key 'constructor' in package"],
  "shape_top_level_list.yaml": [1, 1, "The file must be a mapping with a 'package:' key, not a list"],
  "shape_top_level_null.yaml": [1, 1, "The file must be a mapping with a 'package:' key, not a scalar"],
  "shape_top_level_scalar.yaml": [1, 1, "The file must be a mapping with a 'package:' key, not a scalar"],
  "shape_unknown_top_level_key.yaml": [1, 1, "Unknown top-level key 'packages'; did you mean 'package'?"],
  "syntax_bad_indent.yaml": [5, 6, "Sequence item without - indicator"],
  "syntax_bad_yaml_version.yaml": [1, 7, "Unsupported YAML version 9.9"],
  "syntax_compact_nested_mapping.yaml": [2, 9, "Nested mappings are not allowed in compact mappings"],
  "syntax_control_character.yaml": [2, 12, "Control character U+0007 is not allowed in YAML"],
  "syntax_crlf_error.yaml": [3, 3, "Unknown key 'nme' in package; did you mean 'name'?"],
  "syntax_duplicate_key.yaml": [4, 3, "Duplicate key 'name'"],
  "syntax_duplicate_key_in_dependency.yaml": [8, 11, "Duplicate key 'url'"],
  "syntax_duplicate_top_level_key.yaml": [3, 1, "Duplicate key 'package'"],
  "syntax_invalid_escape.yaml": [2, 13, "Invalid escape sequence \\q"],
  "syntax_multiple_documents.yaml": [
    3,
    1,
    "The file must hold a single YAML document (found a second '---')",
  ],
  "syntax_stray_bracket.yaml": [3, 3, 'Unexpected flow-seq-end token in YAML stream: "]"'],
  "syntax_tab_indent.yaml": [2, 1, "Tabs are not allowed as indentation"],
  "syntax_unclosed_flow_map.yaml": [
    2,
    1,
    "Flow map in block collection must be sufficiently indented and end wit",
  ],
  "syntax_unclosed_flow_seq.yaml": [
    2,
    1,
    "Flow sequence in block collection must be sufficiently indented and en",
  ],
  "syntax_unknown_directive.yaml": [1, 1, "Unknown directive %FOO"],
  "syntax_unterminated_double_quote.yaml": [2, 9, 'Missing closing "quote'],
  "syntax_unterminated_single_quote.yaml": [2, 9, "Missing closing 'quote"],
  "tag_binary.yaml": [2, 18, "Unsupported YAML value (tag !!binary)"],
  "tag_custom.yaml": [2, 9, "Unsupported YAML tag '!python/object:os.system'"],
  "tag_timestamp.yaml": [3, 24, "Unsupported YAML value (tag !!timestamp)"],
  "type_cache_is_text.yaml": [
    8,
    18,
    "'cache' of dependency 'lib' must be a boolean (true or false), not a s",
  ],
  "type_dep_set_is_string.yaml": [4, 7, "'package.dep-sets[0]' must be a mapping, not a string"],
  "type_dep_sets_is_map.yaml": [4, 5, "'package.dep-sets' must be a list, not a mapping"],
  "type_dependency_is_list.yaml": [
    6,
    11,
    "Item 1 of 'deps' of dep-set 'default' must be a mapping, not a list",
  ],
  "type_deps_is_string.yaml": [5, 13, "'deps' of dep-set 'default' must be a list, not a string"],
  "type_depth_is_text.yaml": [8, 18, "'depth' of dependency 'lib' must be an integer, not a string"],
  "type_depth_is_zero.yaml": [8, 18, "'depth' of dependency 'lib' must be at least 1"],
  "type_env_is_map.yaml": [4, 5, "'package.env' must be a list, not a mapping"],
  "type_env_no_operation.yaml": [
    4,
    7,
    "Env directive 'PATH' needs one of: value, path, path-append, path-prep",
  ],
  "type_env_two_operations.yaml": [
    6,
    7,
    "Env directive 'PATH' sets both 'path-append' and 'path-prepend'; use o",
  ],
  "type_name_is_boolean.yaml": [2, 9, "'package.name' must be a string, not a boolean"],
  "type_name_is_list.yaml": [2, 9, "'package.name' must be a string, not a list"],
  "type_paths_not_lists.yaml": [5, 16, "'package.paths.build.include' must be a list, not a string"],
  "type_type_is_number.yaml": [3, 9, "Unknown type '5' in package"],
  "type_with_is_list.yaml": [3, 9, "'package.with' must be a mapping, not a list"],
  "type_with_python_is_string.yaml": [4, 13, "'package.with.python' must be a mapping, not a string"],
  "vars_invalid_name.yaml": [4, 5, "Invalid variable name '1st' (use letters, digits and _, not starting w"],
  "vars_invalid_reference.yaml": [4, 13, "Invalid variable reference '${{not a name}}'"],
  "vars_is_list.yaml": [3, 9, "'vars' must be a mapping of name: default"],
  "vars_prototype_name.yaml": [5, 13, "Undefined variable '${{toString}}'"],
  "vars_undefined.yaml": [3, 13, "Undefined variable '${{where}}'"],
  "vars_unterminated.yaml": [4, 13, "Unterminated variable reference in 'out/${{x}'"],
  "vars_value_is_map.yaml": [4, 11, "Variable 'opts' must have a scalar default"],
};

const cases = [...Deno.readDirSync(DIR)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".yaml") && !n.startsWith("_"))
  .sort();

function hasControl(line: string): boolean {
  return [...line].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

/** Loads `file` and checks everything the corpus promises; returns the error. */
function check(file: string): { error: IvpmError } {
  let error: unknown;
  try {
    loadConfigFile(file);
  } catch (e) {
    error = e;
  }
  ok(error !== undefined, `${basename(file)}: loaded without an error`);
  ok(
    error instanceof IvpmError,
    `${basename(file)}: crashed instead of a user error: ${(error as Error)?.stack}`,
  );
  if (error instanceof ConfigError) {
    ok(error.diagnostics.length > 0, `${basename(file)}: no diagnostics`);
    for (const d of error.diagnostics) {
      ok(d.loc, `${basename(file)}: '${d.message}' has no location`);
      const text = renderDiagnostic(d).split("\n");
      equal(text[0], `${d.loc.file}:${d.loc.line}:${d.loc.col}: error: ${d.message}`);
      // Source excerpt and a caret under the column (long lines are clipped around it).
      ok(text.length >= 3, `${basename(file)}: no excerpt in ${JSON.stringify(text)}`);
      equal(text[2].trimStart(), "^", `${basename(file)}: caret line ${JSON.stringify(text[2])}`);
      ok(text[2].length - 1 <= text[1].length, `${basename(file)}: caret beyond the excerpt`);
      ok(
        !hasControl(text[1]),
        `${basename(file)}: raw control characters in the excerpt`,
      );
    }
  }
  return { error };
}

Deno.test("the corpus has at least 40 cases, each listed in the README and in the expectations", async () => {
  ok(cases.length >= 40, `only ${cases.length} cases`);
  const readme = await Deno.readTextFile(join(DIR, "README.md"));
  const all = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".yaml"));
  for (const n of all) ok(readme.includes(`\`${n}\``), `${n} is not described in README.md`);
  deepEqual(Object.keys(EXPECTED).sort(), cases);
});

for (const name of cases) {
  Deno.test(`corpus: ${name} is rejected with a located error, not a crash`, () => {
    const { error } = check(join(DIR, name));
    ok(error instanceof ConfigError, `${name}: ${error.message}`);
    const d = error.diagnostics[0];
    const want = EXPECTED[name];
    const [file, line, col, message] = want.length === 4 ? want : [name, ...want];
    const got = d.message.replaceAll(`${DIR}/`, "");
    deepEqual([basename(d.loc!.file), d.loc!.line, col === 0 ? 0 : d.loc!.col], [file, line, col], got);
    ok(
      got.startsWith(message),
      `${name}: ${JSON.stringify(got)} does not start with ${JSON.stringify(message)}`,
    );
  });
}

Deno.test("a 5 MB ivpm.yaml is refused with a size error (its load time is in deno task bench)", async () => {
  const deps = Array.from(
    { length: 90_000 },
    (_, i) => `        - {name: pkg${i}, src: pypi, version: "1.0.${i}"}`,
  );
  const text = `package:\n  name: huge\n  dep-sets:\n    - name: default\n      deps:\n${deps.join("\n")}\n`;
  ok(text.length > 5 * 1024 * 1024, `only ${text.length} bytes`);
  await using p = await tempProject({ "ivpm.yaml": text });
  const { error } = check(p.file);
  ok(error instanceof ConfigError);
  equal(error.diagnostics.length, 1);
  ok(error.diagnostics[0].message.startsWith("File is too large ("), error.diagnostics[0].message);
  deepEqual(error.diagnostics[0].loc, { file: p.file, line: 1, col: 1 });
});

Deno.test("a file just under the size limit still loads (the limit is not hit by real files)", async () => {
  const deps = Array.from(
    { length: 2_000 },
    (_, i) => `        - {name: pkg${i}, src: pypi, version: "1.0.${i}"}`,
  );
  const text = `package:\n  name: big\n  dep-sets:\n    - name: default\n      deps:\n${deps.join("\n")}\n`;
  await using p = await tempProject({ "ivpm.yaml": text });
  const cfg = loadConfigFile(p.file);
  equal(cfg.depSets[0].deps.length, 2_000);
});
