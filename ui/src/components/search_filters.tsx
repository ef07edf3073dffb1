/**
 * The search box and label filter above a list of devices (fleet, cameras), with room for a page's
 * own controls after them.
 */
import type { ComponentChildren } from "preact";

export function SearchFilters(props: {
  search: string;
  onSearch(value: string): void;
  label: string;
  onLabel(value: string): void;
  children?: ComponentChildren;
}) {
  return (
    <div class="filters" role="search">
      <label>
        Search
        <input
          type="search"
          name="search"
          placeholder="id, name, label value"
          value={props.search}
          onInput={(e) => props.onSearch(e.currentTarget.value)}
        />
      </label>
      <label>
        Label
        <input
          name="label"
          placeholder="key or key:value"
          value={props.label}
          onInput={(e) => props.onLabel(e.currentTarget.value)}
        />
      </label>
      {props.children}
    </div>
  );
}
