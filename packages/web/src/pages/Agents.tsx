/** The fleet table: search, filters and sort in the URL, a selection that never hides, → "Run job on selected". */
import { useState } from "react";
import { useCall } from "../api/context.js";
import { AgentTable } from "../components/AgentTable.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { searchFromView, viewFromSearch } from "../lib/agent-filter.js";
import { useRouter } from "../router.js";

export function AgentsPage() {
  const t = useT();
  const { search, navigate, path } = useRouter();
  const { filter, sort } = viewFromSearch(search);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const agents = useCall("listAgents", {}, { pollMs: 10_000 });
  return (
    <section>
      <h1>{t("agents.title")}</h1>
      <ErrorBox error={agents.error} />
      <AgentTable
        agents={agents.data?.items ?? []}
        loaded={agents.data !== undefined}
        filter={filter}
        sort={sort}
        onView={(f, s) => navigate(`${path}${searchFromView(f, s)}`, { replace: true })}
        selected={selected}
        onSelected={setSelected}
        actions={
          <button type="button" className="primary" disabled={selected.size === 0} onClick={() => navigate(`/jobs?pcs=${encodeURIComponent([...selected].join(","))}`)}>
            {t("agents.runOnSelected", { n: selected.size })}
          </button>
        }
      />
    </section>
  );
}
