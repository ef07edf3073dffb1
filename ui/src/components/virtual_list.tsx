/**
 * A list that renders only the rows in view (plus a few either side), so 5,000 devices cost as
 * much to draw as 30. Rows have one fixed height; the list scrolls inside its own box.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

const OVERSCAN = 6;

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  label: string;
  renderRow(item: T, index: number): ComponentChildren;
  /** Told which items are in view, e.g. to fetch their details. */
  onVisible?(items: readonly T[]): void;
}

export function VirtualList<T>({ items, rowHeight, label, renderRow, onVisible }: VirtualListProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = box.current!;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const visible = items.slice(first, last);

  useEffect(() => onVisible?.(visible), [first, last, items]);

  return (
    <div
      ref={box}
      class="vlist"
      role="list"
      aria-label={label}
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div class="vlist-spacer" style={{ height: `${items.length * rowHeight}px` }}>
        {visible.map((item, i) => (
          <div
            role="listitem"
            class="vlist-row"
            key={first + i}
            style={{ transform: `translateY(${(first + i) * rowHeight}px)`, height: `${rowHeight}px` }}
          >
            {renderRow(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
