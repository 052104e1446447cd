// The audit log across every organization, account and administrator, newest first, filtered by
// actor, target, action and time range (kept in the hash: #/audit?target=usr_…), a page at a time.

import type { AuditEntryOut } from "../../../../frontend/src/generated/panopticon.js";
import { client, go, type Page } from "../context.js";
import { field, h, input } from "../dom.js";
import { busy, errorBox } from "../ui.js";
import { auditTable } from "./audit_entries.js";

const FILTERS = ["actor", "target", "action", "since", "until"] as const;
const PAGE_SIZE = 50;

/** A datetime-local value (the reader's local time) as RFC 3339, and back. */
function toIso(local: string): string {
  return local ? new Date(local).toISOString() : "";
}
function toLocal(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export async function auditPage(page: Page): Promise<Node> {
  const q = page.query;
  const submit = h("button", { type: "submit", class: "primary", name: "filter" }, "Filter");
  const clear = h("a", { href: "#/audit", class: "button" }, "Clear");
  const form = h(
    "form",
    { class: "inline", id: "audit-filters" },
    field("Actor (adm_… or usr_…)", "actor", { value: q.get("actor") ?? "", autocomplete: "off" }),
    field("Target", "target", { value: q.get("target") ?? "", autocomplete: "off" }),
    field("Action", "action", { value: q.get("action") ?? "", autocomplete: "off", placeholder: "users.disable" }),
    field("Since", "since", { type: "datetime-local", value: toLocal(q.get("since")) }),
    field("Until", "until", { type: "datetime-local", value: toLocal(q.get("until")) }),
    submit,
    clear,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const raw = input(form, name).trim();
      const value = name === "since" || name === "until" ? toIso(raw) : raw;
      if (value) params.set(name, value);
    }
    go(`/audit?${params.toString()}`);
  });

  const filters: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = q.get(name);
    if (value) filters[name] = value;
  }
  const errors = errorBox();
  const more = h("button", { type: "button", name: "more", hidden: true }, "Older entries");
  const entries: AuditEntryOut[] = [];
  const body = h("div", { id: "audit-results" });
  let cursor: string | null = null;
  const load = async () => {
    const found = await client.audit.list({ ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    entries.push(...found.entries);
    cursor = found.next_cursor;
    body.replaceChildren(auditTable(entries));
    more.hidden = cursor === null;
  };
  more.addEventListener("click", () => void busy(more, errors, load));
  await load();
  return h("section", {}, h("h1", {}, "Audit log"), form, body, errors, h("div", { class: "actions" }, more));
}
