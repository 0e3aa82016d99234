/**
 * For unit tests: a `fetch` that answers `METHOD /path?query` from a table as kanade-backend would (JSON
 * with a status; an unknown request is a 404 error body), and remembers what it was asked.
 */
export interface Answer {
  status: number;
  body: unknown;
}

export interface AnswerTable {
  fetch: typeof fetch;
  /** `METHOD /path?query` of each request, in order, with its bearer token (`… as <token>`). */
  asked: string[];
}

export function answerTable(answers: Record<string, Answer>): AnswerTable {
  const asked: string[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), "http://spa.test");
    const key = `${init?.method ?? "GET"} ${url.pathname}${url.search}`;
    const auth = new Headers(init?.headers).get("authorization");
    asked.push(auth ? `${key} as ${auth.replace(/^Bearer /, "")}` : key);
    const a = answers[key] ?? { status: 404, body: { error: { code: "NOT_FOUND", message: `Route ${key} not found` } } };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { "content-type": "application/json" } });
  };
  return { fetch: fetchFn, asked };
}
