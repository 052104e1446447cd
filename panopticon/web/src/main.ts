// The console's entry point: who is signed in (auth.me), then the page the hash names.
// Pages are addressed by the URL's fragment (#/users/usr_…), which never reaches the server or
// its logs: an enrolment code in a link (#/enrol/<code>) stays in the browser.

import { RpcError, type AdminOut } from "../../../frontend/src/generated/panopticon.js";
import { client, go, type Page } from "./context.js";
import { h, mount } from "./dom.js";
import { describe, forgetNotice, showNotice } from "./ui.js";
import { enrolPage } from "./pages/enrol.js";
import { loginPage } from "./pages/login.js";
import { DEFAULT_PAGE, NAV, PAGES } from "./pages/index.js";

const root = document.getElementById("app")!;
let me: AdminOut | null = null;

function parse(): { parts: string[]; query: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

function shell(current: AdminOut, active: string, content: Node): Node {
  const logout = h("button", { type: "button", name: "logout", class: "link" }, "Sign out");
  logout.addEventListener("click", async () => {
    try {
      await client.auth.logout();
    } finally {
      me = null;
      go("/login");
    }
  });
  return h(
    "div",
    { class: "shell" },
    h(
      "header",
      {},
      h("a", { href: "#/", class: "brand" }, "Blossom panopticon"),
      h(
        "nav",
        {},
        NAV.filter((item) => item.visible(current)).map((item) => h("a", { href: `#/${item.path}`, class: item.path === active ? "active" : "" }, item.label)),
      ),
      h("span", { class: "who" }, h("span", { id: "me" }, current.email), " ", h("span", { class: `role role-${current.role}` }, current.role), " ", logout),
    ),
    h("p", { id: "status", role: "status", hidden: true }),
    h("main", {}, content),
  );
}

let generation = 0; // a newer navigation wins over a page still loading

async function render(): Promise<void> {
  const mine = ++generation;
  const { parts, query } = parse();
  const first = parts[0] ?? "";
  if (first === "enrol") {
    mount(root, enrolPage(parts[1] ?? ""));
    return;
  }
  if (me === null) {
    try {
      me = await client.auth.me();
    } catch (error) {
      if (!(error instanceof RpcError && error.status === 401)) {
        mount(root, h("p", { class: "error", role: "alert" }, describe(error)));
        return;
      }
    }
  }
  if (first === "login" || me === null) {
    const next = first === "login" ? (query.get("next") ?? "/") : location.hash.replace(/^#/, "") || "/";
    mount(
      root,
      loginPage((admin) => {
        me = admin;
        go(next.startsWith("/login") ? "/" : next);
      }),
    );
    return;
  }
  const current = me;
  const name = first || DEFAULT_PAGE;
  const view = PAGES[name];
  const content = h("div", { class: "page" }, h("p", { class: "loading" }, "Loading…"));
  mount(root, shell(current, name, content));
  showNotice();
  if (view === undefined) {
    mount(content, h("h1", {}, "Not found"), h("p", {}, "No such page."));
    return;
  }
  const page: Page = { me: current, parts, query, refresh: () => void render() };
  try {
    const shown = await view(page);
    if (mine === generation) mount(content, shown);
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof RpcError && error.status === 401) {
      me = null;
      go(`/login?next=${encodeURIComponent(location.hash.replace(/^#/, ""))}`);
      return;
    }
    mount(content, h("p", { class: "error", role: "alert" }, describe(error)));
  }
}

window.addEventListener("hashchange", () => {
  forgetNotice();
  void render();
});
void render();
