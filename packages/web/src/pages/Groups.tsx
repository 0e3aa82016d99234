/**
 * Groups: every group (static, dynamic or both) with its members; define a dynamic group from a query after
 * previewing what it matches; one group's members and why each is in it.
 */
import { parseGroupQuery, QueryParseError, type GroupPreviewResult } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { Link, useRouter } from "../router.js";

/** The query's syntax error (column and token), checked in the browser before anything is sent. */
function syntaxError(query: string): string | undefined {
  if (query.trim() === "") return undefined;
  try {
    parseGroupQuery(query);
    return undefined;
  } catch (err) {
    if (err instanceof QueryParseError) return err.message;
    throw err;
  }
}

function GroupMembers({ name, onChanged }: { name: string; onChanged(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const d = useCall("getGroup", { params: { g: name } }, { pollMs: 10_000 });
  const [error, setError] = useState<Error | undefined>();
  const undefine = async (): Promise<void> => {
    try {
      await api.call("undefineGroup", { params: { g: name } });
      d.reload();
      onChanged();
    } catch (err) {
      setError(asError(err));
    }
  };
  const g = d.data;
  return (
    <section className="card" data-testid="group-detail">
      <h2 className="mono">{name}</h2>
      <ErrorBox error={d.error ?? error} />
      {g && (
        <>
          <p>
            {g.definition ? <code data-testid="group-query">{g.definition.query}</code> : <span className="muted">{t("groups.static")}</span>}
            {g.definition?.description && <span className="muted"> — {g.definition.description}</span>}
          </p>
          <p className="muted" data-testid="group-counts">{t("groups.counts", { n: g.members.length, dynamic: g.dynamic_members.length, static: g.static_members.length })}</p>
          {g.definition && (
            <button type="button" onClick={() => void undefine()} disabled={!canOperate}>{t("groups.undefine")}</button>
          )}
          <table data-testid="group-members">
            <thead>
              <tr>
                <th>PC</th>
                <th>{t("groups.via")}</th>
              </tr>
            </thead>
            <tbody>
              {g.members.map((pc) => (
                <tr key={pc}>
                  <td className="mono"><Link to={`/agents/${encodeURIComponent(pc)}`}>{pc}</Link></td>
                  <td>{[g.dynamic_members.includes(pc) ? t("groups.viaQuery") : "", g.static_members.includes(pc) ? t("groups.viaStatic") : ""].filter(Boolean).join(" + ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function DefineGroup({ onDefined }: { onDefined(name: string): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [name, setName] = useState("");
  const [query, setQuery] = useState("");
  const [description, setDescription] = useState("");
  const [preview, setPreview] = useState<GroupPreviewResult | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const problem = syntaxError(query);
  const run = async (what: () => Promise<void>): Promise<void> => {
    setError(undefined);
    try {
      await what();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card" data-testid="group-define">
      <h2>{t("groups.define")}</h2>
      <p className="muted small">{t("groups.defineHelp")}</p>
      <div className="filters">
        <label>
          {t("groups.name")}
          <input name="group-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="old-windows" />
        </label>
        <label className="grow">
          {t("groups.query")}
          <input name="group-query" className="mono" value={query} onChange={(e) => (setQuery(e.target.value), setPreview(undefined))} placeholder='os.build < 19045 and tag.site = "osaka"' />
        </label>
        <label className="grow">
          {t("groups.description")}
          <input name="group-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      {problem && <p className="error-text" data-testid="query-problem">{problem}</p>}
      <div className="row">
        <button type="button" disabled={!query.trim() || problem !== undefined} onClick={() => void run(async () => setPreview(await api.call("previewGroupQuery", { body: { query } })))}>
          {t("groups.preview")}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!canOperate || !name.trim() || !query.trim() || problem !== undefined}
          onClick={() =>
            void run(async () => {
              await api.call("defineGroup", { params: { g: name.trim() }, body: { query, ...(description.trim() ? { description: description.trim() } : {}) } });
              onDefined(name.trim());
            })
          }
        >
          {t("groups.save")}
        </button>
      </div>
      <ErrorBox error={error} />
      {preview && (
        <div data-testid="group-preview">
          <p><strong>{t("groups.matches", { n: preview.count })}</strong></p>
          <p className="mono small">{preview.pcs.slice(0, 200).join(", ")}{preview.count > 200 ? " …" : ""}</p>
        </div>
      )}
    </section>
  );
}

export function GroupsPage() {
  const t = useT();
  const { search, navigate } = useRouter();
  const selected = search.get("g") ?? "";
  const groups = useCall("listGroups", {}, { pollMs: 10_000 });
  const open = (g: string): void => navigate(`/groups?g=${encodeURIComponent(g)}`, { replace: true });
  return (
    <section>
      <h1>{t("groups.title")}</h1>
      <ErrorBox error={groups.error} />
      {groups.data && groups.data.items.length === 0 && <p className="muted">{t("groups.empty")}</p>}
      {groups.data && groups.data.items.length > 0 && (
        <div className="scroll-x">
          <table data-testid="groups-list">
            <thead>
              <tr>
                <th>{t("groups.name")}</th>
                <th>{t("groups.members")}</th>
                <th>{t("groups.query")}</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.items.map((g) => (
                <tr key={g.name} data-group={g.name}>
                  <td><button type="button" className="link mono" onClick={() => open(g.name)}>{g.name}</button></td>
                  <td>{g.count ?? g.pcs.length}</td>
                  <td>{g.query ? <code>{g.query}</code> : <span className="muted">{t("groups.static")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DefineGroup
        onDefined={(g) => {
          groups.reload();
          open(g);
        }}
      />
      {selected && <GroupMembers key={selected} name={selected} onChanged={groups.reload} />}
    </section>
  );
}
