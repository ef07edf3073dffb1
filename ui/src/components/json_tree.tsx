/**
 * JSON as a collapsible tree: objects and arrays are `<details>` (open down to `openDepth`),
 * values are typed spans, so a long envelope can be read a level at a time.
 */
export interface JsonTreeProps {
  value: unknown;
  name?: string;
  /** Levels open at first (default 2). */
  openDepth?: number;
  depth?: number;
}

export function JsonTree({ value, name, openDepth = 2, depth = 0 }: JsonTreeProps) {
  const label = name === undefined ? null : <span class="json-key">{name}:</span>;
  if (value === null || typeof value !== "object") {
    return (
      <div class="json-leaf">
        {label} <span class={`json-${value === null ? "null" : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div class="json-leaf">
        {label} <span class="json-empty">{open}{close}</span>
      </div>
    );
  }
  return (
    <details class="json-node" open={depth < openDepth}>
      <summary>
        {label} <span class="json-brace">{open}</span>
        <span class="json-count">
          {entries.length} {Array.isArray(value) ? "item" : "key"}
          {entries.length === 1 ? "" : "s"}
        </span>
      </summary>
      <div class="json-children">
        {entries.map(([key, child]) => (
          <JsonTree key={key} name={key} value={child} openDepth={openDepth} depth={depth + 1} />
        ))}
      </div>
      <span class="json-brace">{close}</span>
    </details>
  );
}
