/** Renders only the visible rows of a long fixed-height list inside a scrolling box. */
import { useState, type ReactNode } from "react";
import { rowWindow } from "../lib/virtual-window.js";

export function VirtualRows<T>({
  items,
  rowHeight,
  height,
  row,
  header,
}: {
  items: readonly T[];
  rowHeight: number;
  height: number;
  row(item: T, index: number): ReactNode;
  header: ReactNode;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const w = rowWindow({ scrollTop, viewportHeight: height, rowHeight, count: items.length });
  return (
    <div className="vscroll" style={{ height }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div className="vhead">{header}</div>
      <div style={{ height: w.totalHeight, position: "relative" }}>
        <div style={{ transform: `translateY(${w.offsetTop}px)` }}>{items.slice(w.start, w.end).map((it, i) => row(it, w.start + i))}</div>
      </div>
    </div>
  );
}
