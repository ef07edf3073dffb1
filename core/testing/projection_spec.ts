/**
 * Spec-style tests for pure reducers, in the manner of Emmett:
 *
 * ```ts
 * const spec = projectionSpec(evolveDevice);
 * spec.given(registered, updated).then({ id: "d1", … });
 * ```
 */
import assert from "node:assert/strict";
import type { DomainEvent } from "../events/catalog.ts";

export interface ProjectionSpec<Row> {
  given(...events: DomainEvent[]): {
    /** Asserts the row after the events (`undefined`: no row). */
    then(expected: Row | undefined): void;
    /** Hands the row after the events to `check`. */
    thenRow(check: (row: Row | undefined) => void): void;
  };
}

/** A spec for `evolve`, starting from no row. */
export function projectionSpec<Row>(
  evolve: (row: Row | undefined, event: DomainEvent) => Row | undefined,
): ProjectionSpec<Row> {
  return {
    given: (...events) => {
      const row = events.reduce<Row | undefined>((current, event) => evolve(current, event), undefined);
      return {
        then: (expected) => assert.deepEqual(row, expected),
        thenRow: (check) => check(row),
      };
    },
  };
}
