/**
 * Admins: permission groups — which PC groups and capabilities an operator or viewer is scoped to — and which
 * accounts are in which groups. An account in none keeps its role's whole-fleet rights.
 */
import { CAPABILITIES, type Capability } from "@kanade/protocol";
import { useState, type FormEvent } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";

const words = (text: string): string[] => [...new Set(text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean))];

export function PermGroupsPage() {
  const t = useT();
  const { api, me } = useApi();
  const list = useCall("listPermGroups", me.role === "admin" ? {} : null);
  const [name, setName] = useState("");
  const [pcGroups, setPcGroups] = useState("");
  const [caps, setCaps] = useState<Capability[]>([]);
  const [description, setDescription] = useState("");
  const [user, setUser] = useState("");
  const [userGroups, setUserGroups] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();

  const act = async (what: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await what());
      list.reload();
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent): void => {
    e.preventDefault();
    void act(async () => {
      const body = { pc_groups: words(pcGroups), capabilities: caps, ...(description.trim() ? { description: description.trim() } : {}) };
      const g = await api.call("putPermGroup", { params: { name: name.trim() }, body });
      return t("perm.saved", { name: g.name });
    });
  };
  const assign = (e: FormEvent): void => {
    e.preventDefault();
    void act(async () => {
      const r = await api.call("setAccountPermGroups", { params: { username: user.trim() }, body: { perm_groups: words(userGroups) } });
      return r.perm_groups.length ? t("perm.assigned", { user: r.username, groups: r.perm_groups.join(", ") }) : t("perm.unscoped", { user: r.username });
    });
  };
  const edit = (g: { name: string; pc_groups: string[]; capabilities: Capability[]; description: string | null }): void => {
    setName(g.name);
    setPcGroups(g.pc_groups.join(", "));
    setCaps(g.capabilities);
    setDescription(g.description ?? "");
  };
  const toggle = (c: Capability): void => setCaps((now) => (now.includes(c) ? now.filter((x) => x !== c) : [...now, c]));

  if (me.role !== "admin") return <p className="notice">{t("perm.adminOnly")}</p>;
  return (
    <>
      <h1>{t("perm.title")}</h1>
      <p className="muted">{t("perm.intro")}</p>
      <ErrorBox error={list.error ?? error} />
      {done && <p role="status">{done}</p>}
      <table data-testid="perm-groups">
        <thead>
          <tr><th>{t("perm.name")}</th><th>{t("perm.pcGroups")}</th><th>{t("perm.capabilities")}</th><th>{t("perm.accounts")}</th><th /></tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((g) => (
            <tr key={g.name} data-name={g.name}>
              <td className="mono">{g.name}{g.description ? <div className="muted">{g.description}</div> : null}</td>
              <td className="mono">{g.pc_groups.join(", ")}</td>
              <td>{g.capabilities.length ? g.capabilities.map((c) => t(`perm.cap.${c}`)).join(", ") : t("perm.readOnly")}</td>
              <td className="mono">{g.members.join(", ")}</td>
              <td>
                <button type="button" onClick={() => edit(g)}>{t("perm.edit")}</button>{" "}
                <button type="button" disabled={busy} onClick={() => void act(async () => (await api.call("deletePermGroup", { params: { name: g.name } }), t("perm.deleted", { name: g.name })))}>
                  {t("perm.delete")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section className="card">
        <h2>{t("perm.saveTitle")}</h2>
        <form onSubmit={save}>
          <div className="row">
            <label>{t("perm.name")}<input name="name" value={name} onChange={(e) => setName(e.target.value)} /></label>
            <label>{t("perm.pcGroups")}<input name="pc_groups" value={pcGroups} placeholder="osaka, osaka-laptops" onChange={(e) => setPcGroups(e.target.value)} /></label>
            <label>{t("perm.description")}<input name="description" value={description} onChange={(e) => setDescription(e.target.value)} /></label>
          </div>
          <fieldset className="row">
            <legend>{t("perm.capabilities")}</legend>
            {CAPABILITIES.map((c) => (
              <label key={c} title={t(`perm.capHelp.${c}`)}>
                <input type="checkbox" name={`cap-${c}`} checked={caps.includes(c)} onChange={() => toggle(c)} /> {t(`perm.cap.${c}`)}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={busy || !name.trim() || words(pcGroups).length === 0}>{t("perm.save")}</button>
        </form>
      </section>

      <section className="card">
        <h2>{t("perm.assignTitle")}</h2>
        <p className="muted">{t("perm.assignHelp")}</p>
        <form onSubmit={assign} className="row">
          <label>{t("perm.username")}<input name="username" value={user} onChange={(e) => setUser(e.target.value)} /></label>
          <label>{t("perm.groupsOfUser")}<input name="perm_groups" value={userGroups} onChange={(e) => setUserGroups(e.target.value)} /></label>
          <button type="submit" className="primary" disabled={busy || !user.trim()}>{t("perm.assign")}</button>
        </form>
      </section>
    </>
  );
}
