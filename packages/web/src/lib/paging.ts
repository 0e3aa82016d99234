/** Splits large run output into pages of lines so a 50 MB stdout never lands in the DOM at once. */
export interface TextPage {
  text: string;
  page: number;
  pages: number;
  firstLine: number;
  lastLine: number;
  totalLines: number;
}

export function pageOfText(text: string, page: number, linesPerPage = 1000): TextPage {
  const lines = text.split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  const totalLines = text === "" ? 0 : lines.length;
  const pages = Math.max(1, Math.ceil(totalLines / linesPerPage));
  const p = Math.min(Math.max(0, page), pages - 1);
  const from = p * linesPerPage;
  const slice = lines.slice(from, from + linesPerPage);
  return { text: slice.join("\n"), page: p, pages, firstLine: totalLines ? from + 1 : 0, lastLine: from + slice.length, totalLines };
}
