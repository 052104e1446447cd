// An organization's page: members and roles, pending invitations, recent audit entries, and the
// operator's actions (remove a member, cancel an invitation, transfer ownership, delete with the
// organization's name typed in).

import type { OrgPage } from "../../../../frontend/src/generated/panopticon.js";
import { client, go, may, type Page } from "../context.js";
import { h, link, table, when } from "../dom.js";
import { dialog, notify } from "../ui.js";
import { auditTable } from "./audit_entries.js";

const REASON = { name: "reason", label: "Reason (recorded in the audit log)", required: true };

function button(name: string, label: string, onClick: () => void, danger = false): HTMLButtonElement {
  const element = h("button", { type: "button", name, class: danger ? "danger" : "" }, label);
  element.addEventListener("click", onClick);
  return element;
}

export async function orgPage(page: Page): Promise<Node> {
  const orgId = page.parts[1] ?? "";
  const data = await client.orgs.get({ org_id: orgId });
  return h(
    "section",
    { id: "org-page" },
    h("h1", {}, data.org.name),
    h(
      "div",
      { class: "grid" },
      h("div", { class: "card" }, h("h2", {}, "Organization"), h("dl", {}, h("dt", {}, "Id"), h("dd", {}, h("code", {}, data.org.id)), h("dt", {}, "Created"), h("dd", {}, when(data.org.created_at)), h("dt", {}, "Members"), h("dd", {}, String(data.members.length)))),
      h("div", { class: "card" }, h("h2", {}, "Actions"), actions(page, data)),
    ),
    h("h2", {}, "Members"),
    members(page, data),
    h("h2", {}, "Pending invitations"),
    invites(page, data),
    h("h2", {}, "Recent audit entries"),
    auditTable(data.audit),
  );
}

function actions(page: Page, data: OrgPage): HTMLElement {
  const org = data.org;
  const list = h("div", { class: "actions" });
  if (may(page.me, "orgs.ownership.transfer")) {
    const candidates = data.members.filter((m) => m.role !== "owner" && !m.disabled);
    const transfer = button("transfer", "Transfer ownership", () =>
      void dialog({
        title: `Transfer ownership of ${org.name}`,
        text: "The member chosen becomes the owner; every other owner becomes an admin.",
        fields: [{ name: "user_id", label: "New owner", type: "select", options: candidates.map((m) => ({ value: m.user_id, label: `${m.email} (${m.role})` })) }, REASON],
        confirm: "Transfer",
        run: async (values) => {
          const out = await client.orgs.ownership.transfer({ org_id: org.id, user_id: values.user_id ?? "", reason: values.reason ?? "" });
          notify(`${candidates.find((m) => m.user_id === out.owner)?.email ?? out.owner} now owns ${org.name}.`);
          page.refresh();
        },
      }),
    );
    transfer.disabled = candidates.length === 0;
    list.append(transfer);
  }
  if (may(page.me, "orgs.delete")) {
    list.append(
      button(
        "delete-org",
        "Delete organization",
        () =>
          void dialog({
            title: `Delete ${org.name}?`,
            text: "This deletes the organization and everything in it, for good. Type its name to confirm.",
            fields: [{ name: "confirm_name", label: `Type “${org.name}”`, required: true, mustEqual: org.name }, REASON],
            confirm: "Delete for good",
            danger: true,
            run: async (values) => {
              await client.orgs.delete({ org_id: org.id, confirm_name: values.confirm_name ?? "", reason: values.reason ?? "" });
              notify(`${org.name} is deleted.`, { acrossNavigation: true });
              go("/search?kind=orgs");
            },
          }),
        true,
      ),
    );
  }
  if (list.childElementCount === 0) return h("p", { class: "hint" }, `Your role (${page.me.role}) may only look.`);
  return list;
}

function members(page: Page, data: OrgPage): HTMLElement {
  const remove = may(page.me, "orgs.members.remove");
  return table(
    ["Member", "Name", "Role", "Joined", ""],
    data.members.map((member) => [
      h("span", {}, link(`#/users/${encodeURIComponent(member.user_id)}`, member.email), member.disabled ? h("span", { class: "badge bad" }, " disabled") : null),
      member.display_name || "—",
      member.role,
      when(member.joined_at),
      remove
        ? button(
            "remove-member",
            "Remove",
            () =>
              void dialog({
                title: `Remove ${member.email} from ${data.org.name}?`,
                fields: [REASON],
                confirm: "Remove",
                danger: true,
                run: async (values) => {
                  await client.orgs.members.remove({ org_id: data.org.id, user_id: member.user_id, reason: values.reason ?? "" });
                  notify(`${member.email} is no longer a member of ${data.org.name}.`);
                  page.refresh();
                },
              }),
            true,
          )
        : null,
    ]),
    "No members.",
  );
}

function invites(page: Page, data: OrgPage): HTMLElement {
  const cancel = may(page.me, "orgs.invites.cancel");
  return table(
    ["Email", "Role", "Invited by", "Sent", "Expires", ""],
    data.invites.map((invite) => [
      invite.email,
      invite.role,
      invite.invited_by ? link(`#/users/${encodeURIComponent(invite.invited_by)}`, invite.invited_by) : "—",
      when(invite.created_at),
      when(invite.expires_at),
      cancel
        ? button("cancel-invite", "Cancel", () =>
            void dialog({
              title: `Cancel the invitation of ${invite.email}?`,
              fields: [REASON],
              confirm: "Cancel invitation",
              danger: true,
              run: async (values) => {
                await client.orgs.invites.cancel({ org_id: data.org.id, invite_id: invite.id, reason: values.reason ?? "" });
                notify(`The invitation of ${invite.email} is cancelled.`);
                page.refresh();
              },
            }),
          )
        : null,
    ]),
    "No pending invitations.",
  );
}
