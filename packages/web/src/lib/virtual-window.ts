/** Which rows of a fixed-row-height list are visible: the agents table renders only those (thousands of PCs). */
export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Extra rows rendered above and below so fast scrolling does not show blanks. */
  overscan?: number;
}

export interface RowWindow {
  /** First row index rendered (inclusive). */
  start: number;
  /** Row index after the last one rendered (exclusive). */
  end: number;
  /** Pixels of empty space above the first rendered row. */
  offsetTop: number;
  /** Height of the whole list, so the scrollbar is right. */
  totalHeight: number;
}

export function rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan = 8 }: WindowInput): RowWindow {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight: 0 };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}
