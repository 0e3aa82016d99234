// kanade-client UI: plain modules, no build step. Every call goes to this app's own loopback server,
// which holds the session cookie check and talks to the agent; nothing here decides who the user is.
import { MESSAGES } from "./i18n.js";

const $ = (sel) => document.querySelector(sel);
const state = { lang: localStorage.getItem("lang") || (navigator.language.startsWith("ja") ? "ja" : "en"), snapshot: null, notices: new Map(), jobs: [], runs: new Map(), output: new Map(), hello: null };
// Each run's output as it arrived (stdout and stderr interleaved); the newest part only, like the agent keeps.
const OUTPUT_CHARS = 32 * 1024;
function addOutput(execId, text) {
  state.output.set(execId, ((state.output.get(execId) ?? "") + text).slice(-OUTPUT_CHARS));
}

function t(key, vars = {}) {
  const s = MESSAGES[state.lang][key] ?? MESSAGES.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "onclick") e.addEventListener("click", v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// A small, safe subset of Markdown for notice bodies: paragraphs, line breaks, **bold**, *italic*, `code`.
// Built from text nodes only, so a notice can never inject markup or script.
function markdown(src) {
  const frag = document.createDocumentFragment();
  for (const para of src.split(/\n{2,}/)) {
    const p = el("p");
    para.split("\n").forEach((line, i) => {
      if (i > 0) p.append(el("br"));
      for (const part of line.split(/(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)/)) {
        if (/^\*\*[^*]+\*\*$/.test(part)) p.append(el("strong", { text: part.slice(2, -2) }));
        else if (/^\*[^*]+\*$/.test(part)) p.append(el("em", { text: part.slice(1, -1) }));
        else if (/^`[^`]+`$/.test(part)) p.append(el("code", { text: part.slice(1, -1) }));
        else if (part) p.append(part);
      }
    });
    frag.append(p);
  }
  return frag;
}

async function call(method, params) {
  const res = await fetch(`/api/call/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params ?? {}) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  $("#error").textContent = "";
  return body.result;
}
const showError = (err) => ($("#error").textContent = err.message);

// ---- language and theme
function applyLang() {
  document.documentElement.lang = state.lang;
  for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
  $("#lang").textContent = state.lang === "ja" ? "English" : "日本語";
  applyTheme();
  renderAll();
}
function applyTheme() {
  const theme = localStorage.getItem("theme") || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.dataset.theme = theme;
  $("#theme").textContent = t(theme === "dark" ? "theme.toggle_light" : "theme.toggle");
}
$("#lang").addEventListener("click", () => { state.lang = state.lang === "ja" ? "en" : "ja"; localStorage.setItem("lang", state.lang); applyLang(); });
$("#theme").addEventListener("click", () => { localStorage.setItem("theme", document.documentElement.dataset.theme === "dark" ? "light" : "dark"); applyTheme(); });

// ---- tabs
function selectTab(name) {
  for (const b of document.querySelectorAll("nav [data-tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== `tab-${name}`;
}
for (const b of document.querySelectorAll("nav [data-tab]")) b.addEventListener("click", () => selectTab(b.dataset.tab));

// ---- rendering
function renderHome() {
  const s = state.snapshot;
  const online = state.hello?.online;
  const pill = $("#agent-status");
  pill.textContent = t(online ? "agent.online" : "agent.offline");
  pill.className = `pill ${online ? "ok" : "bad"}`;
  $('[data-testid="pc-id"]').textContent = s?.pc_id ?? state.hello?.pc_id ?? "—";
  $('[data-testid="os-user"]').textContent = state.hello?.user ?? "—";
  $('[data-testid="online"]').textContent = s ? t(s.online ? "yes" : "no") : "—";
  $('[data-testid="agent-version"]').textContent = s?.agent_version ?? "—";
  $('[data-testid="client-version"]').textContent = s?.client_version ?? "—";
  const health = $("#health");
  health.replaceChildren(...(s?.health ?? []).map((h) => el("li", { "data-testid": "health-check" }, `${h.name}: ${t(h.ok ? "health.ok" : "health.bad")}${h.detail ? ` — ${h.detail}` : ""}`)));
  if (!s?.health?.length) health.replaceChildren(el("li", { class: "muted", text: t("health.none") }));
}

function renderUpdates() {
  const list = state.snapshot?.pending_updates ?? [];
  $("#updates-empty").hidden = list.length > 0;
  $("#updates").replaceChildren(...list.map((u) => el("li", { "data-testid": "update" }, t("updates.agent", u))));
}

async function ack(id) {
  try {
    const r = await call("notifications.ack", { id });
    const n = state.notices.get(id);
    if (n) n.acked_at = r.acked_at;
    renderNotices();
  } catch (err) { showError(err); }
}

function renderNotices() {
  const list = [...state.notices.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  $("#notices-empty").hidden = list.length > 0;
  $("#notices").replaceChildren(...list.map((n) => {
    const li = el("li", { class: n.priority, "data-testid": "notice", "data-id": n.id },
      el("p", { class: "muted", text: `${t(`priority.${n.priority}`)} · ${t("notices.expires")} ${new Date(n.expires_at).toLocaleString(state.lang)}` }),
      el("h3", { text: n.title }),
      el("div", { class: "body" }, markdown(n.body)));
    if (n.acked_at) li.append(el("p", { class: "muted", "data-testid": "acked", text: `${t("notices.acked")} ${new Date(n.acked_at).toLocaleString(state.lang)}` }));
    else if (n.require_ack || n.priority === "emergency") li.append(el("button", { class: "primary", type: "button", onclick: () => ack(n.id) }, t("notices.ack")));
    return li;
  }));
  showEmergency();
}

// An unacknowledged emergency notice takes the screen until the user acknowledges it; Esc does not close it.
const dialog = $("#emergency");
dialog.addEventListener("cancel", (e) => e.preventDefault());
$("#emergency-ack").addEventListener("click", async () => {
  const id = dialog.dataset.id;
  if (!id) return;
  await ack(id);
  if (state.notices.get(id)?.acked_at) { delete dialog.dataset.id; dialog.close(); showEmergency(); }
});
function showEmergency() {
  const open = [...state.notices.values()].find((n) => n.priority === "emergency" && !n.acked_at);
  if (!open) { if (dialog.open) dialog.close(); return; }
  dialog.dataset.id = open.id;
  $("#emergency-title").textContent = open.title;
  $("#emergency-body").replaceChildren(markdown(open.body));
  if (!dialog.open) dialog.showModal();
}

async function run(jobId) {
  try {
    const r = await call("jobs.execute", { job_id: jobId });
    // Progress may have come over the event stream before this reply: keep it.
    if (!state.runs.has(r.exec_id)) state.runs.set(r.exec_id, { exec_id: r.exec_id, job_id: jobId, state: "queued" });
    renderRuns();
  } catch (err) { showError(err); }
}
async function kill(execId) {
  try { await call("jobs.kill", { exec_id: execId }); } catch (err) { showError(err); }
}

function runLabel(r) {
  return `${t(`state.${r.state}`)}${r.status ? ` (${r.status}${r.exit_code != null ? `, exit ${r.exit_code}` : ""})` : ""}`;
}
// A run's output box; it stays scrolled to the end while new lines come in.
function outputBox(execId, testid) {
  const text = state.output.get(execId);
  if (!text) return "";
  const pre = el("pre", { class: "output", "data-testid": testid, "aria-live": "polite", text });
  window.requestAnimationFrame(() => { pre.scrollTop = pre.scrollHeight; });
  return pre;
}
function renderRuns() {
  const runs = [...state.runs.values()].sort((a, b) => b.exec_id.localeCompare(a.exec_id));
  $("#runs-empty").hidden = runs.length > 0;
  $("#runs tbody").replaceChildren(...runs.map((r) => el("tr", { "data-testid": "run", "data-job": r.job_id, "data-state": r.state },
    el("td", { text: r.job_id }), el("td", { "data-testid": "run-state" }, runLabel(r), outputBox(r.exec_id, "run-output")),
    el("td", {}, r.state === "finished" ? "" : el("button", { type: "button", onclick: () => kill(r.exec_id) }, t("runs.kill"))))));
  renderCatalog();
}
function renderCatalog() {
  $("#catalog-empty").hidden = state.jobs.length > 0;
  $("#catalog").replaceChildren(...state.jobs.map((j) => {
    const latest = [...state.runs.values()].filter((r) => r.job_id === j.id).sort((a, b) => b.exec_id.localeCompare(a.exec_id))[0];
    return el("li", { "data-testid": "catalog-job", "data-id": j.id },
      el("h3", { text: j.id }), el("p", { text: j.description ?? "" }),
      el("button", { class: "primary", type: "button", onclick: () => run(j.id) }, t("catalog.run")),
      latest ? el("span", { class: "muted", "data-testid": "job-progress", "data-state": latest.state, text: ` ${runLabel(latest)}` }) : "",
      latest ? outputBox(latest.exec_id, "job-output") : "");
  }));
}
function renderAll() { renderHome(); renderUpdates(); renderNotices(); renderRuns(); }

$("#support-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const note = new FormData(e.target).get("note");
  const out = $("#support-result");
  out.textContent = t("support.sending");
  try {
    const r = await call("support.upload_diagnostics", note ? { note } : {});
    out.textContent = t("support.sent", { id: r.bundle_id });
    out.dataset.bundleId = r.bundle_id;
  } catch (err) { out.textContent = ""; showError(err); }
});

// ---- data
async function refresh() {
  try {
    const [snap, notes, jobs] = await Promise.all([call("state.snapshot"), call("notifications.list"), call("jobs.list")]);
    state.snapshot = snap;
    state.notices = new Map(notes.notifications.map((n) => [n.id, n]));
    state.jobs = jobs.jobs;
    for (const r of jobs.runs) state.runs.set(r.exec_id, r);
    renderAll();
    // After a (re)connect: what unfinished runs wrote meanwhile; pushes carry on from here.
    for (const r of jobs.runs.filter((x) => x.state !== "finished").slice(0, 5)) {
      const out = await call("jobs.output", { exec_id: r.exec_id });
      state.output.set(r.exec_id, `${out.stdout}${out.stderr}`.slice(-OUTPUT_CHARS));
    }
    renderRuns();
  } catch (err) { showError(err); }
}

const events = new EventSource("/api/events");
events.onmessage = (m) => {
  const e = JSON.parse(m.data);
  if (e.type === "agent") {
    const was = state.hello?.online;
    state.hello = e;
    renderHome();
    if (e.online && !was) void refresh();
    return;
  }
  const p = e.params;
  if (e.method === "state.changed") { state.snapshot = p; renderHome(); renderUpdates(); }
  else if (e.method === "notifications.new") { state.notices.set(p.id, p); renderNotices(); }
  else if (e.method === "notifications.withdrawn") { state.notices.delete(p.id); renderNotices(); }
  else if (e.method === "jobs.output") { addOutput(p.exec_id, p.text); renderRuns(); }
  else if (e.method === "jobs.progress") { state.runs.set(p.exec_id, { ...state.runs.get(p.exec_id), ...p }); renderRuns(); }
};

selectTab("home");
applyLang();
