// Audit entries as a table: who (an administrator, a user, or an administrator impersonating a
// user), what, on what, why, and what changed. Ids of users and organizations link to their page.

import type { AuditEntryOut } from "../../../../frontend/src/generated/panopticon.js";
import { h, link, table, when } from "../dom.js";

export function idLink(id: string | null | undefined): Node | string {
  if (!id) return "—";
  if (id.startsWith("usr_")) return link(`#/users/${encodeURIComponent(id)}`, id);
  if (id.startsWith("org_")) return link(`#/orgs/${encodeURIComponent(id)}`, id);
  return h("code", {}, id);
}

function actor(entry: AuditEntryOut): Node | string {
  if (entry.actor_admin_id && entry.acting_as_user_id) {
    return h("span", {}, h("code", {}, entry.actor_admin_id), " as ", idLink(entry.acting_as_user_id));
  }
  if (entry.actor_admin_id) return h("code", {}, entry.actor_admin_id);
  if (entry.actor_user_id) return idLink(entry.actor_user_id);
  return "system";
}

function change(entry: AuditEntryOut): Node | string {
  const lines: string[] = [];
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = key in before ? JSON.stringify(before[key]) : undefined;
    const now = key in after ? JSON.stringify(after[key]) : undefined;
    if (was !== undefined && now !== undefined) lines.push(`${key}: ${was} → ${now}`);
    else if (now !== undefined) lines.push(`${key}: ${now}`);
    else lines.push(`${key}: ${was} (removed)`);
  }
  return lines.length ? h("pre", { class: "summary" }, lines.join("\n")) : "—";
}

export function auditTable(entries: AuditEntryOut[]): HTMLElement {
  return table(
    ["When", "Who", "Action", "Target", "Reason", "Change"],
    entries.map((entry) => [when(entry.at), actor(entry), h("code", { class: "action" }, entry.action), idLink(entry.target), entry.reason ?? "—", change(entry)]),
    "No audit entries.",
  );
}
