// Owners manage administrators: the list, an invitation (its enrolment link shown once), a
// role change, disabling.

import type { AdminOut } from "../../../../frontend/src/generated/panopticon.js";
import { allows, client, type Page } from "../context.js";
import { h, table, when } from "../dom.js";
import { dialog, notify } from "../ui.js";

const ROLES = ["viewer", "support", "operator", "owner"] as const;

export async function adminsPage(page: Page): Promise<Node> {
  const { admins } = await client.admins.list();
  const invite = h("button", { type: "button", class: "primary", name: "invite" }, "Invite an administrator");
  const result = h("div", {});
  invite.addEventListener("click", () =>
    void dialog({
      title: "Invite an administrator",
      fields: [
        { name: "email", label: "Email", required: true },
        { name: "role", label: "Role", type: "select", options: ROLES.map((r) => ({ value: r, label: r })) },
      ],
      confirm: "Invite",
      run: async (values) => {
        const out = await client.admins.invite({ email: values.email ?? "", role: (values.role ?? "viewer") as AdminOut["role"] });
        const url = `${location.origin}/#/enrol/${encodeURIComponent(out.enrolment_code)}`;
        result.replaceChildren(
          h(
            "div",
            { class: "card" },
            h("p", {}, `Invited ${out.admin.email}. Hand them this enrolment link privately; it is shown only now and works until `, when(out.expires_at), ":"),
            h("p", {}, h("code", { id: "enrolment-link" }, url)),
          ),
        );
      },
    }),
  );
  const rows = admins.map((admin) => {
    const actions = h("div", { class: "row-actions" });
    if (admin.id !== page.me.id && admin.disabled_at === null && allows(page.me, "owner")) {
      const role = h("button", { type: "button", name: "set-role" }, "Change role");
      role.addEventListener("click", () =>
        void dialog({
          title: `Role of ${admin.email}`,
          fields: [{ name: "role", label: "Role", type: "select", options: ROLES.map((r) => ({ value: r, label: r })) }],
          confirm: "Change",
          run: async (values) => {
            await client.admins.set_role({ admin_id: admin.id, role: (values.role ?? admin.role) as AdminOut["role"] });
            notify(`${admin.email} is now ${values.role}.`);
            page.refresh();
          },
        }),
      );
      const disable = h("button", { type: "button", class: "danger", name: "disable-admin" }, "Disable");
      disable.addEventListener("click", () =>
        void dialog({
          title: `Disable ${admin.email}?`,
          text: "They can no longer sign in, and their sessions end at once.",
          fields: [],
          confirm: "Disable",
          danger: true,
          run: async () => {
            await client.admins.disable({ admin_id: admin.id });
            notify(`${admin.email} is disabled.`);
            page.refresh();
          },
        }),
      );
      actions.append(role, disable);
    }
    return [admin.email, admin.role, admin.disabled_at ? "disabled" : admin.enrolment_state, when(admin.enrolled_at), actions];
  });
  return h(
    "section",
    {},
    h("h1", {}, "Administrators"),
    h("div", { class: "actions" }, invite),
    result,
    table(["Email", "Role", "State", "Enrolled", ""], rows),
  );
}
