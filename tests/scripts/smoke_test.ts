import { smoke, sourceCommand } from "../../scripts/smoke.ts";

Deno.test("the release smoke test passes on this checkout under deno run (the binary's flags)", async () => {
  const lines: string[] = [];
  await smoke(sourceCommand(), (l) => lines.push(l));
});
