/**
 * A YAML editor for a document the backend validates (job, schedule, notification): when the backend refuses it
 * with `invalidCode`, each problem is shown beside its line and listed as `L<line>: <path>: <message>`.
 */
import type { ErrorCode } from "@kanade/protocol";
import { useMemo } from "react";
import { ApiError } from "../api/client.js";
import { issueLines } from "../lib/manifest-lines.js";
import { ErrorBox } from "./ErrorBox.js";
import { YamlEditor } from "./YamlEditor.js";

export function ManifestField({ text, onChange, error, invalidCode, invalidTitle, errorTestId }: {
  text: string;
  onChange(v: string): void;
  error: Error | undefined;
  invalidCode: ErrorCode;
  invalidTitle: string;
  errorTestId: string;
}) {
  const invalid = error instanceof ApiError && error.code === invalidCode ? error : undefined;
  const marks = useMemo(() => (invalid ? issueLines(text, invalid.details.length ? invalid.details : [{ path: "", message: invalid.message }]) : new Map<number, string[]>()), [invalid, text]);
  return (
    <>
      <YamlEditor value={text} onChange={onChange} marks={marks} />
      {invalid ? (
        <div className="error" role="alert" data-testid={errorTestId}>
          <strong>{invalidTitle}</strong>
          <ul>{[...marks.entries()].flatMap(([line, msgs]) => msgs.map((m, i) => <li key={`${line}-${i}`}>{`L${line}: ${m}`}</li>))}</ul>
        </div>
      ) : (
        <ErrorBox error={error} />
      )}
    </>
  );
}
