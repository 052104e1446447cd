// Find a user (by email, name or id) or an organization (by name or id): a prefix match, a page
// at a time. The query lives in the hash (#/search?kind=users&q=…), so the back button returns here.

import type { OrgHit, UserHit } from "../../../../frontend/src/generated/panopticon.js";
import { client, go, type Page } from "../context.js";
import { h, link, table, when } from "../dom.js";
import { busy, errorBox } from "../ui.js";

const PAGE_SIZE = 25;

export async function searchPage(page: Page): Promise<Node> {
  const kind = page.query.get("kind") === "orgs" ? "orgs" : "users";
  const query = page.query.get("q") ?? "";
  const box = h("input", { name: "q", id: "f-q", type: "search", value: query, placeholder: kind === "users" ? "Email, name or usr_… id" : "Name or org_… id", autofocus: true, autocomplete: "off" });
  const choice = (value: string, label: string) =>
    h("label", { class: "check" }, h("input", { type: "radio", name: "kind", value, checked: kind === value }), h("span", {}, label));
  const submit = h("button", { type: "submit", class: "primary", name: "search" }, "Search");
  const form = h("form", { class: "inline", id: "search" }, h("label", {}, h("span", {}, "Search"), box), choice("users", "Users"), choice("orgs", "Organizations"), submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = (form.querySelector('input[name="kind"]:checked') as HTMLInputElement | null)?.value ?? "users";
    go(`/search?kind=${chosen}&q=${encodeURIComponent(box.value.trim())}`);
  });
  const results = h("div", { id: "results" });
  const section = h("section", {}, h("h1", {}, "Search"), form, results);
  if (query) await showResults(results, kind, query);
  return section;
}

async function showResults(results: HTMLElement, kind: "users" | "orgs", query: string): Promise<void> {
  const errors = errorBox();
  const more = h("button", { type: "button", name: "more", hidden: true }, "More results");
  const rows: Node[][] = [];
  const body = h("div", {});
  let cursor: string | null = null;
  const load = async () => {
    if (kind === "users") {
      const found = await client.search.users({ query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      rows.push(...found.users.map(userRow));
      cursor = found.next_cursor;
      body.replaceChildren(table(["Email", "Name", "State", "Created", "Id"], rows, `No user matches “${query}”.`));
    } else {
      const found = await client.search.orgs({ query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      rows.push(...found.orgs.map(orgRow));
      cursor = found.next_cursor;
      body.replaceChildren(table(["Name", "Members", "Created", "Id"], rows, `No organization matches “${query}”.`));
    }
    more.hidden = cursor === null;
  };
  more.addEventListener("click", () => void busy(more, errors, load));
  await load();
  results.replaceChildren(body, errors, h("div", { class: "actions" }, more));
}

function userRow(user: UserHit): Node[] {
  return [
    link(`#/users/${encodeURIComponent(user.id)}`, user.email),
    document.createTextNode(user.display_name),
    h("span", {}, user.disabled ? h("span", { class: "badge bad" }, "disabled") : null, " ", user.verified ? h("span", { class: "badge good" }, "verified") : h("span", { class: "badge" }, "unverified")),
    h("span", {}, when(user.created_at)),
    h("code", {}, user.id),
  ];
}

function orgRow(org: OrgHit): Node[] {
  return [link(`#/orgs/${encodeURIComponent(org.id)}`, org.name), document.createTextNode(String(org.members)), h("span", {}, when(org.created_at)), h("code", {}, org.id)];
}
