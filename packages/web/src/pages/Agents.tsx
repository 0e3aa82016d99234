/** The fleet table: virtualized rows, search and filters, multi-select → "Run job on selected". */
import { useMemo, useState } from "react";
import { useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago, OnlineBadge } from "../components/Status.js";
import { VirtualRows } from "../components/VirtualRows.js";
import { useT } from "../i18n/context.js";
import { EMPTY_FILTER, facets, filterAgents, osLabel, type AgentFilter } from "../lib/agent-filter.js";
import { Link, useRouter } from "../router.js";

const ROW = 36;

export function AgentsPage() {
  const t = useT();
  const { search, navigate } = useRouter();
  const initialOnline = search.get("online");
  const [filter, setFilter] = useState<AgentFilter>({
    ...EMPTY_FILTER,
    online: initialOnline === "online" || initialOnline === "offline" ? initialOnline : "all",
  });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const agents = useCall("listAgents", {}, { pollMs: 10_000 });
  const all = agents.data?.items ?? [];
  const f = useMemo(() => facets(all), [all]);
  const shown = useMemo(() => filterAgents(all, filter), [all, filter]);
  const set = (patch: Partial<AgentFilter>): void => setFilter((x) => ({ ...x, ...patch }));
  const toggle = (pc: string): void =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(pc)) n.delete(pc);
      else n.add(pc);
      return n;
    });
  const select = (name: string, value: string, options: string[], label: string, on: (v: string) => void) => (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => on(e.target.value)}>
        <option value="">{t("common.all")}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section>
      <h1>{t("agents.title")}</h1>
      <ErrorBox error={agents.error} />
      <div className="filters">
        <label>
          {t("common.search")}
          <input type="search" name="q" placeholder={t("agents.searchPlaceholder")} value={filter.text} onChange={(e) => set({ text: e.target.value })} />
        </label>
        {select("group", filter.group, f.groups, t("agents.group"), (group) => set({ group }))}
        {select("os", filter.os, f.os, t("agents.os"), (os) => set({ os }))}
        {select("version", filter.version, f.versions, t("agents.version"), (version) => set({ version }))}
        <label>
          {t("agents.status")}
          <select name="online" value={filter.online} onChange={(e) => set({ online: e.target.value as AgentFilter["online"] })}>
            <option value="all">{t("common.all")}</option>
            <option value="online">{t("common.online")}</option>
            <option value="offline">{t("common.offline")}</option>
          </select>
        </label>
      </div>
      <div className="row">
        <span className="muted" data-testid="agents-count">{t("agents.count", { shown: shown.length, total: all.length })}</span>
        <span className="spacer" />
        <span>{t("agents.selected", { n: selected.size })}</span>
        <button type="button" onClick={() => setSelected(new Set(shown.map((a) => a.pc_id)))}>{t("agents.selectAll")}</button>
        <button type="button" onClick={() => setSelected(new Set())} disabled={selected.size === 0}>{t("agents.clearSelection")}</button>
        <button type="button" className="primary" disabled={selected.size === 0} onClick={() => navigate(`/jobs?pcs=${encodeURIComponent([...selected].join(","))}`)}>
          {t("agents.runOnSelected")}
        </button>
      </div>
      {agents.data && shown.length === 0 ? (
        <p className="muted">{t("agents.empty")}</p>
      ) : (
        <VirtualRows
          items={shown}
          rowHeight={ROW}
          height={Math.min(640, Math.max(200, (shown.length + 1) * ROW + 4))}
          header={
            <div className="vrow head agents-grid">
              <span />
              <span>{t("agents.col.pc")}</span>
              <span>{t("agents.status")}</span>
              <span>{t("agents.col.host")}</span>
              <span>{t("agents.os")}</span>
              <span>{t("agents.version")}</span>
              <span>{t("agents.col.groups")}</span>
              <span>{t("agents.col.lastSeen")}</span>
            </div>
          }
          row={(a) => (
            <div key={a.pc_id} className="vrow agents-grid" style={{ height: ROW }} data-testid="agent-row" data-pc={a.pc_id}>
              <span>
                <input type="checkbox" aria-label={a.pc_id} checked={selected.has(a.pc_id)} onChange={() => toggle(a.pc_id)} />
              </span>
              <span className="mono">
                <Link to={`/agents/${encodeURIComponent(a.pc_id)}`}>{a.pc_id}</Link>
              </span>
              <span>
                <OnlineBadge online={a.online} />
              </span>
              <span className="ellipsis">{a.hostname ?? "—"}</span>
              <span className="ellipsis">{osLabel(a) || "—"}</span>
              <span>{a.agent_version ?? "—"}</span>
              <span className="ellipsis">{a.groups.join(", ")}</span>
              <span>
                <Ago iso={a.last_seen} />
              </span>
            </div>
          )}
        />
      )}
    </section>
  );
}
