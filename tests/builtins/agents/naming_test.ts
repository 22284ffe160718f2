import assert from "node:assert/strict";
import { assignNames, candidateNames, type SkillEntry } from "../../../plugins/agents/naming.ts";

const dep = (owner: string, rel = ""): SkillEntry => ({
  kind: "dependency",
  owner,
  root: `/p/packages/${owner}`,
  dir: rel ? `/p/packages/${owner}/${rel}` : `/p/packages/${owner}`,
});
const proj = (rel = ""): SkillEntry => ({
  kind: "project",
  owner: "proj",
  root: "/w/proj",
  dir: rel ? `/w/proj/${rel}` : "/w/proj",
});

Deno.test("candidate names go from the skill dir outwards, prefixed by the package for dependencies", () => {
  assert.deepEqual(candidateNames(dep("uvm")), ["uvm"]);
  assert.deepEqual(candidateNames(dep("uvm", "skills/review")), ["uvm-review", "uvm-skills-review"]);
  assert.deepEqual(candidateNames(proj()), ["proj"]);
  assert.deepEqual(candidateNames(proj("docs/skills/lint")), ["lint", "skills-lint", "docs-skills-lint"]);
});

Deno.test("colliding entries all advance one level until unique", () => {
  const named = assignNames([
    dep("tools", "b/check"),
    dep("lib-review"),
    dep("tools", "a/check"),
    dep("lib", "skills/review"),
    proj("skills/review"),
  ]);
  assert.deepEqual(named.map((e) => [e.owner, e.name]), [
    ["lib", "lib-skills-review"], // collided with package lib-review's root skill, which cannot advance
    ["lib-review", "lib-review"],
    ["tools", "tools-a-check"],
    ["tools", "tools-b-check"],
    ["proj", "review"], // project skills sort after dependencies
  ]);
});

Deno.test("names still shared once candidates are exhausted get -2, -3 in sort order", () => {
  const named = assignNames([proj("x"), dep("x"), { ...proj("sub/x"), dir: "/w/proj/sub/x" }]);
  // dep x → "x"; project x → "x" (exhausted) → "x-2"; project sub/x → "x" then "sub-x".
  assert.deepEqual(named.map((e) => e.name), ["x", "sub-x", "x-2"]);
  const same = assignNames([dep("a"), dep("a"), dep("a"), dep("a-2")]);
  assert.deepEqual(same.map((e) => e.name), ["a", "a-3", "a-4", "a-2"]);
});

Deno.test("an advance that lands on another entry's name makes both advance", () => {
  // Package a's b/c and d/c collide on "a-c"; "a-b-c" then meets pkg "a-b"'s "a-b-c".
  const named = assignNames([dep("a", "b/c"), dep("a", "d/c"), dep("a-b", "c")]);
  assert.deepEqual(named.map((e) => e.name), ["a-b-c", "a-d-c", "a-b-c-2"]);
});
