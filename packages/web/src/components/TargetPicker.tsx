/** Who a run goes to: PCs picked from the agent table, groups, or every PC; plus jitter. Jobs and Run pages share it. */
import { useMemo, useState, type ReactNode } from "react";
import { useCall } from "../api/context.js";
import { useT } from "../i18n/context.js";
import { DEFAULT_SORT, EMPTY_FILTER, type AgentFilter, type AgentSort } from "../lib/agent-filter.js";
import type { TargetChoice } from "../lib/exec-target.js";
import { AgentTable } from "./AgentTable.js";

/** `lead`: the page's own controls shown before the target choice (the job, or the shell and timeout). */
export function TargetPicker({ choice, change, lead }: { choice: TargetChoice; change(next: (c: TargetChoice) => TargetChoice): void; lead?: ReactNode }) {
  const t = useT();
  const agents = useCall("listAgents", {}, { pollMs: 15_000 });
  const groups = useCall("listGroups", {});
  const [view, setView] = useState<{ filter: AgentFilter; sort: AgentSort }>({ filter: EMPTY_FILTER, sort: DEFAULT_SORT });
  const toggleGroup = (g: string): void => change((c) => ({ ...c, groups: c.groups.includes(g) ? c.groups.filter((x) => x !== g) : [...c.groups, g] }));
  const selectedPcs = useMemo(() => new Set(choice.pcs), [choice.pcs]);
  return (
    <>
      <div className="filters">
        {lead}
        <fieldset className="row">
          <legend>{t("jobs.target")}</legend>
          {(["pcs", "groups", "all"] as const).map((m) => (
            <label key={m} className="inline">
              <input type="radio" name="mode" value={m} checked={choice.mode === m} onChange={() => change((c) => ({ ...c, mode: m }))} />
              {t(`jobs.target.${m}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("jobs.jitter")}
          <input name="jitter" value={choice.jitter} onChange={(e) => change((c) => ({ ...c, jitter: e.target.value }))} placeholder="5m" />
        </label>
      </div>
      {choice.mode === "pcs" && (
        <div className="picker" data-testid="pc-picker">
          <AgentTable
            agents={agents.data?.items ?? []}
            loaded={agents.data !== undefined}
            filter={view.filter}
            sort={view.sort}
            onView={(filter, sort) => setView({ filter, sort })}
            selected={selectedPcs}
            onSelected={(next) => change((c) => ({ ...c, pcs: [...next] }))}
            maxHeight={360}
          />
        </div>
      )}
      {choice.mode === "groups" && (
        <div className="picks">
          {(groups.data?.items ?? []).map((g) => (
            <label key={g.name} className="inline pick">
              <input type="checkbox" name="group" value={g.name} checked={choice.groups.includes(g.name)} onChange={() => toggleGroup(g.name)} />
              {g.name} <span className="muted">({g.pcs.length})</span>
            </label>
          ))}
        </div>
      )}
      {choice.mode === "all" && <p className="warn-text">{t("jobs.allWarning", { n: agents.data?.items.length ?? "…" })}</p>}
    </>
  );
}
