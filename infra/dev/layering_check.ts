/** `deno task ok` step: fails with the list of imports that break the layering. */
import { findLayeringViolations } from "./layering.ts";

const violations = await findLayeringViolations(Deno.cwd());
for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
if (violations.length > 0) {
  console.error(`layering check: ${violations.length} violation(s)`);
  Deno.exit(1);
}
console.error("layering check: ok");
