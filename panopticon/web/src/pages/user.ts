// A user's page: profile, organizations and roles, active sessions, recent audit entries, and
// the support actions (each asks for a reason, which goes into the audit log).

import type { UserPage } from "../../../../frontend/src/generated/panopticon.js";
import { client, may, type Page } from "../context.js";
import { h, link, table, when } from "../dom.js";
import { dialog, notify } from "../ui.js";
import { auditTable } from "./audit_entries.js";
import { impersonateButton, impersonations } from "./impersonation.js";

const REASON = { name: "reason", label: "Reason (recorded in the audit log)", required: true };

export async function userPage(page: Page): Promise<Node> {
  const userId = page.parts[1] ?? "";
  const [data, open] = await Promise.all([client.users.get({ user_id: userId }), client.impersonation.list()]);
  return h(
    "section",
    { id: "user-page" },
    h("h1", {}, data.user.display_name || data.user.email, " ", data.user.disabled ? h("span", { class: "badge bad" }, "disabled") : null),
    h("div", { class: "grid" }, profile(data), h("div", { class: "card" }, h("h2", {}, "Actions"), actions(page, data))),
    h("h2", {}, "Organizations"),
    table(
      ["Organization", "Role", "Joined"],
      data.orgs.map((org) => [link(`#/orgs/${encodeURIComponent(org.org_id)}`, org.name), org.role, when(org.joined_at)]),
      "Not a member of any organization.",
    ),
    h("h2", {}, "Open impersonations"),
    impersonations(page, data.user, open.impersonations),
    h("h2", {}, `Active sessions (${data.sessions.length})`),
    sessions(page, data),
    h("h2", {}, "Recent audit entries"),
    auditTable(data.audit),
  );
}

function profile(data: UserPage): HTMLElement {
  const user = data.user;
  return h(
    "div",
    { class: "card" },
    h("h2", {}, "Profile"),
    h(
      "dl",
      {},
      h("dt", {}, "Email"),
      h("dd", { id: "user-email" }, user.email),
      h("dt", {}, "Name"),
      h("dd", {}, user.display_name || "—"),
      h("dt", {}, "Id"),
      h("dd", {}, h("code", {}, user.id)),
      h("dt", {}, "Email verified"),
      h("dd", {}, user.verified ? when(user.email_verified_at) : h("span", { class: "badge" }, "not verified")),
      h("dt", {}, "Disabled"),
      h("dd", { id: "user-disabled" }, user.disabled ? when(user.disabled_at) : "no"),
      h("dt", {}, "Signed up"),
      h("dd", {}, when(user.created_at)),
    ),
  );
}

function button(name: string, label: string, onClick: () => void, danger = false): HTMLButtonElement {
  const element = h("button", { type: "button", name, class: danger ? "danger" : "" }, label);
  element.addEventListener("click", onClick);
  return element;
}

function actions(page: Page, data: UserPage): HTMLElement {
  const user = data.user;
  const who = user.email;
  const list = h("div", { class: "actions" });
  if (may(page.me, "users.sessions.revoke")) {
    list.append(
      button("revoke-all", "Revoke all sessions", () =>
        void dialog({
          title: `Sign ${who} out everywhere?`,
          text: `Ends all ${data.sessions.length} of their sessions at once.`,
          fields: [{ ...REASON, required: false }],
          confirm: "Revoke all sessions",
          danger: true,
          run: async (values) => {
            const out = await client.users.sessions.revoke({ user_id: user.id, ...(values.reason ? { reason: values.reason } : {}) });
            notify(`Revoked ${out.revoked} session${out.revoked === 1 ? "" : "s"} of ${who}.`);
            page.refresh();
          },
        }),
      ),
    );
  }
  if (may(page.me, "users.verification.resend") && !user.verified) {
    list.append(
      button("resend-verification", "Resend verification", () =>
        void dialog({
          title: `Send ${who} a new verification mail?`,
          fields: [{ ...REASON, required: false }],
          confirm: "Send",
          run: async (values) => {
            await client.users.verification.resend({ user_id: user.id, ...(values.reason ? { reason: values.reason } : {}) });
            notify(`A verification mail to ${who} is on its way.`);
            page.refresh();
          },
        }),
      ),
    );
  }
  if (may(page.me, "users.password_reset.send")) {
    list.append(
      button("password-reset", "Send password reset", () =>
        void dialog({
          title: `Send ${who} a password reset?`,
          text: "They get a mail with a code to choose a new password.",
          fields: [{ ...REASON, required: false }],
          confirm: "Send",
          run: async (values) => {
            await client.users.password_reset.send({ user_id: user.id, ...(values.reason ? { reason: values.reason } : {}) });
            notify(`A password reset mail to ${who} is on its way.`);
            page.refresh();
          },
        }),
      ),
    );
  }
  if (user.disabled ? may(page.me, "users.enable") : may(page.me, "users.disable")) {
    list.append(
      user.disabled
        ? button("enable", "Enable account", () =>
            void dialog({
              title: `Enable ${who}?`,
              text: "They can sign in again.",
              fields: [REASON],
              confirm: "Enable",
              run: async (values) => {
                await client.users.enable({ user_id: user.id, reason: values.reason ?? "" });
                notify(`${who} is enabled.`);
                page.refresh();
              },
            }),
          )
        : button(
            "disable",
            "Disable account",
            () =>
              void dialog({
                title: `Disable ${who}?`,
                text: "They cannot sign in, and every session of theirs ends at once.",
                fields: [REASON],
                confirm: "Disable",
                danger: true,
                run: async (values) => {
                  await client.users.disable({ user_id: user.id, reason: values.reason ?? "" });
                  notify(`${who} is disabled.`);
                  page.refresh();
                },
              }),
            true,
          ),
    );
  }
  const impersonate = impersonateButton(page, user);
  if (impersonate) list.append(impersonate);
  if (list.childElementCount === 0) return h("p", { class: "hint" }, `Your role (${page.me.role}) may only look.`);
  return list;
}

function sessions(page: Page, data: UserPage): HTMLElement {
  const revoke = may(page.me, "users.sessions.revoke");
  return table(
    ["Started", "Last seen", "Expires", "Active organization", "Device", ""],
    data.sessions.map((session) => [
      when(session.created_at),
      when(session.last_seen_at),
      when(session.expires_at),
      session.active_org_id ? link(`#/orgs/${encodeURIComponent(session.active_org_id)}`, session.active_org_id) : "—",
      h("span", { class: "mono" }, session.user_agent || "—"),
      revoke
        ? button("revoke-session", "Revoke", () =>
            void dialog({
              title: "Revoke this session?",
              fields: [{ ...REASON, required: false }],
              confirm: "Revoke",
              danger: true,
              run: async (values) => {
                await client.users.sessions.revoke({ user_id: data.user.id, session_id: session.id, ...(values.reason ? { reason: values.reason } : {}) });
                notify("Session revoked.");
                page.refresh();
              },
            }),
          )
        : null,
    ]),
    "No active sessions.",
  );
}
