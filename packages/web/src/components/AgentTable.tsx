/**
 * The fleet as a table: search and filters, sortable column headers, virtualized rows, and a selection that
 * never hides (selected PCs outside the filter stay listed first, and a chip says how many are selected).
 * Used by the Agents page and by the Jobs page's PC picker.
 */
import type { AgentSummary } from "@kanade/protocol";
import { useMemo, useState, type ReactNode } from "react";
import { useT } from "../i18n/context.js";
import type { MessageKey } from "../i18n/en.js";
import { facets, filterAgents, liveCpu, liveMem, nextSort, osLabel, sortAgents, tagLabels, visibleRows, type AgentFilter, type AgentSort, type SortKey } from "../lib/agent-filter.js";
import { formatPct } from "../lib/format.js";
import { Link } from "../router.js";
import { Ago, OnlineBadge } from "./Status.js";
import { VirtualRows } from "./VirtualRows.js";

const ROW = 36;

const COLUMNS: { key: SortKey; label: MessageKey; cls: string }[] = [
  { key: "pc", label: "agents.col.pc", cls: "c-pc" },
  { key: "status", label: "agents.status", cls: "c-status" },
  { key: "cpu", label: "agents.col.cpu", cls: "c-cpu num" },
  { key: "mem", label: "agents.col.mem", cls: "c-mem num" },
  { key: "ip", label: "agents.col.ip", cls: "c-ip" },
  { key: "user", label: "agents.col.user", cls: "c-user" },
  { key: "host", label: "agents.col.host", cls: "c-host" },
  { key: "os", label: "agents.os", cls: "c-os" },
  { key: "version", label: "agents.version", cls: "c-version" },
  { key: "groups", label: "agents.col.groups", cls: "c-groups" },
  { key: "tags", label: "agents.col.tags", cls: "c-tags" },
  { key: "lastSeen", label: "agents.col.lastSeen", cls: "c-seen" },
];

export interface AgentTableProps {
  agents: readonly AgentSummary[];
  /** The list has arrived (an empty fleet says so instead of "loading"). */
  loaded: boolean;
  filter: AgentFilter;
  sort: AgentSort;
  onView(filter: AgentFilter, sort: AgentSort): void;
  selected: ReadonlySet<string>;
  onSelected(next: ReadonlySet<string>): void;
  /** Buttons that act on the selection, shown beside it. */
  actions?: ReactNode;
  maxHeight?: number;
}

export function AgentTable({ agents, loaded, filter, sort, onView, selected, onSelected, actions, maxHeight = 640 }: AgentTableProps) {
  const t = useT();
  const [onlySelected, setOnlySelected] = useState(false);
  const f = useMemo(() => facets(agents), [agents]);
  const shown = useMemo(() => sortAgents(filterAgents(agents, filter), sort), [agents, filter, sort]);
  const { rows, pinned } = useMemo(() => visibleRows(agents, shown, selected, onlySelected && selected.size > 0), [agents, shown, selected, onlySelected]);
  const set = (patch: Partial<AgentFilter>): void => onView({ ...filter, ...patch }, sort);
  const toggle = (pc: string): void => {
    const n = new Set(selected);
    if (n.has(pc)) n.delete(pc);
    else n.add(pc);
    onSelected(n);
  };
  const select = (name: keyof AgentFilter, options: string[], label: string) => (
    <label>
      {label}
      <select name={name} value={filter[name]} onChange={(e) => set({ [name]: e.target.value })}>
        <option value="">{t("common.all")}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const ariaSort = (key: SortKey): "ascending" | "descending" | "none" => (sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none");
  return (
    <div className="agent-table">
      <div className="filters">
        <label className="grow">
          {t("common.search")}
          <input type="search" name="q" placeholder={t("agents.searchPlaceholder")} value={filter.text} onChange={(e) => set({ text: e.target.value })} />
        </label>
        {select("group", f.groups, t("agents.group"))}
        {select("tag", f.tags, t("agents.tag"))}
        {select("os", f.os, t("agents.os"))}
        {select("version", f.versions, t("agents.version"))}
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
        <span className="muted" data-testid="agents-count">{t("agents.count", { shown: shown.length, total: agents.length })}</span>
        <button type="button" onClick={() => onSelected(new Set([...selected, ...shown.map((a) => a.pc_id)]))} disabled={shown.length === 0}>
          {t("agents.selectAll")}
        </button>
        <span className="spacer" />
        {selected.size > 0 && (
          <span className="selection-chip" data-testid="selection" role="status">
            <strong>{t("agents.selected", { n: selected.size })}</strong>
            {pinned.size > 0 && <span className="muted"> · {t("agents.outsideFilter", { n: pinned.size })}</span>}
            <button type="button" className="link" aria-pressed={onlySelected} onClick={() => setOnlySelected((v) => !v)}>
              {onlySelected ? t("agents.showAllRows") : t("agents.showSelected")}
            </button>
            <button type="button" className="link" onClick={() => (onSelected(new Set()), setOnlySelected(false))}>
              {t("agents.clearSelection")}
            </button>
          </span>
        )}
        {actions}
      </div>
      {loaded && rows.length === 0 ? (
        <p className="muted">{t("agents.empty")}</p>
      ) : (
        <VirtualRows
          items={rows}
          rowHeight={ROW}
          height={Math.min(maxHeight, Math.max(200, (rows.length + 1) * ROW + 4))}
          header={
            <div className="vrow head agents-grid" role="row">
              <span role="columnheader" />
              {COLUMNS.map((c) => (
                <span key={c.key} role="columnheader" aria-sort={ariaSort(c.key)} className={c.cls}>
                  <button type="button" className="sort" data-sort={c.key} onClick={() => onView(filter, nextSort(sort, c.key))}>
                    {t(c.label)}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                  </button>
                </span>
              ))}
            </div>
          }
          row={(a) => {
            const cpu = liveCpu(a);
            const mem = liveMem(a);
            return (
              <div
                key={a.pc_id}
                role="row"
                className={`vrow agents-grid${pinned.has(a.pc_id) ? " pinned" : ""}${a.online ? "" : " offline"}`}
                style={{ height: ROW }}
                data-testid="agent-row"
                data-pc={a.pc_id}
                data-selected={selected.has(a.pc_id) || undefined}
                title={pinned.has(a.pc_id) ? t("agents.pinnedHelp") : undefined}
              >
                <span>
                  <input type="checkbox" name="pc" value={a.pc_id} aria-label={a.pc_id} checked={selected.has(a.pc_id)} onChange={() => toggle(a.pc_id)} />
                </span>
                <span className="mono ellipsis c-pc">
                  <Link to={`/agents/${encodeURIComponent(a.pc_id)}`}>{a.pc_id}</Link>
                </span>
                <span className="c-status">
                  <OnlineBadge online={a.online} />
                </span>
                <span className="c-cpu num" title={a.online ? undefined : t("agents.loadOffline")}>{formatPct(cpu)}</span>
                <span className="c-mem num">{formatPct(mem)}</span>
                <span className="ellipsis mono c-ip" title={(a.ip_addresses ?? []).join(", ")}>{a.ip_addresses?.[0] ?? "—"}</span>
                <span className="ellipsis c-user">{a.logged_in_user ?? "—"}</span>
                <span className="ellipsis c-host">{a.hostname ?? "—"}</span>
                <span className="ellipsis c-os">{osLabel(a) || "—"}</span>
                <span className="c-version">{a.agent_version ?? "—"}</span>
                <span className="ellipsis c-groups">{a.groups.join(", ")}</span>
                <span className="ellipsis c-tags" title={tagLabels(a).join(", ")}>{tagLabels(a).join(", ")}</span>
                <span className="c-seen">
                  <Ago iso={a.last_seen} />
                </span>
              </div>
            );
          }}
        />
      )}
    </div>
  );
}
