/** A plain textarea with line numbers and validation messages shown beside their lines. */
import { useRef, useState } from "react";

const LINE = 20;

export function YamlEditor({ value, onChange, marks }: { value: string; onChange(v: string): void; marks: ReadonlyMap<number, string[]> }) {
  const [scroll, setScroll] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const lines = Math.max(value.split("\n").length, 12);
  const height = Math.min(Math.max(lines, 12), 28) * LINE + 16;
  return (
    <div className="yaml-editor" style={{ height }}>
      <div className="gutter" aria-hidden="true" style={{ transform: `translateY(${-scroll}px)` }}>
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={marks.has(i + 1) ? "mark" : ""} style={{ height: LINE }}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={area}
        name="manifest"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
        style={{ lineHeight: `${LINE}px` }}
      />
      <div className="issues" aria-live="polite" style={{ transform: `translateY(${-scroll}px)` }}>
        {[...marks.entries()].map(([line, msgs]) => (
          <div key={line} className="issue" role="alert" data-line={line} style={{ top: (line - 1) * LINE + 8 }}>
            {`L${line}: ${msgs.join(" · ")}`}
          </div>
        ))}
      </div>
    </div>
  );
}
