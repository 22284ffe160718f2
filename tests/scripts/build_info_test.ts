import { equal } from "node:assert/strict";
import { BUILD_COMMIT } from "../../core/base/build_info.ts";

Deno.test("the sources carry no stamped build commit (only a release build writes one, and restores the file)", () => {
  equal(BUILD_COMMIT, undefined);
});
