import assert from "node:assert/strict";
import { toNumberedPlaceholders } from "./sql_driver.ts";

Deno.test("toNumberedPlaceholders() numbers ? outside quotes and comments", () => {
  assert.equal(
    toNumberedPlaceholders(`SELECT '?', "a?" FROM t WHERE a = ? AND b IN (?, ?) -- why?\nLIMIT ?`),
    `SELECT '?', "a?" FROM t WHERE a = $1 AND b IN ($2, $3) -- why?\nLIMIT $4`,
  );
  assert.equal(toNumberedPlaceholders("SELECT 'it''s ?' , ?"), "SELECT 'it''s ?' , $1");
});
