// Impersonation from a user's page: a dialog asks the reason (recorded in the audit log), the
// duration (at most 60 minutes) and, for operators, whether writes are allowed; the one-time code
// it answers opens the product session as the user (redeemed in the product, once, within five
// minutes). The user's open impersonations are listed with a button to end each at once.

import type { ImpersonationOut, Started, UserOut } from "../../../../frontend/src/generated/panopticon.js";
import { allows, client, may, type Page } from "../context.js";
import { h, table, when } from "../dom.js";
import { dialog, notify } from "../ui.js";

// The code is shown to the administrator who started the impersonation, on this page, until they
// leave it: it is answered once and never stored by the server.
const fresh = new Map<string, Started>();

export function impersonateButton(page: Page, user: UserOut): HTMLButtonElement | null {
  if (!may(page.me, "impersonation.start") || user.disabled) return null;
  const writes = allows(page.me, "operator");
  const button = h("button", { type: "button", name: "impersonate" }, "Impersonate…");
  button.addEventListener("click", () =>
    void dialog({
      title: `Impersonate ${user.email}`,
      text: "You will see the product as they do. Everything done under the impersonation is recorded as yours.",
      fields: [
        { name: "reason", label: "Reason (recorded in the audit log)", required: true },
        { name: "minutes", label: "Duration in minutes (at most 60)", type: "number", value: "15", min: 1, max: 60, required: true },
        ...(writes ? [{ name: "writes", label: "Allow changes (otherwise read-only)", type: "checkbox" as const }] : []),
      ],
      confirm: "Start impersonation",
      run: async (values) => {
        const started = await client.impersonation.start({
          user_id: user.id,
          reason: values.reason ?? "",
          minutes: Number(values.minutes),
          writes: values.writes === "on",
        });
        fresh.set(user.id, started);
        notify(`Impersonating ${user.email} (${started.read_only ? "read-only" : "with writes"}) until ${new Date(started.expires_at).toLocaleTimeString()}.`);
        page.refresh();
      },
    }),
  );
  return button;
}

/** The user's open impersonations, from `impersonation.list`'s answer. */
export function impersonations(page: Page, user: UserOut, open: ImpersonationOut[]): HTMLElement {
  const mine = open.filter((i) => i.user_id === user.id);
  const started = fresh.get(user.id);
  const code =
    started && mine.some((i) => i.id === started.impersonation_id && !i.redeemed)
      ? h(
          "div",
          { class: "card", id: "impersonation-code" },
          h("p", {}, "One-time code for the product (valid once, until ", when(started.code_expires_at), "):"),
          h("p", {}, h("code", { id: "impersonation-code-value" }, started.code)),
          h("p", { class: "hint" }, "Redeem it in the product (auth.impersonation.redeem) to open the session as the user; the product shows a banner while it lasts."),
        )
      : null;
  return h("div", { id: "impersonations" }, code, table(["Started by", "Reason", "Mode", "Since", "Until", "Redeemed", ""], mine.map((i) => row(page, i)), "No open impersonation."));
}

function row(page: Page, impersonation: ImpersonationOut): (Node | string)[] {
  const end = h("button", { type: "button", class: "danger", name: "end-impersonation" }, "End now");
  end.addEventListener("click", () =>
    void dialog({
      title: "End this impersonation?",
      text: "Its product session ends at once.",
      fields: [],
      confirm: "End impersonation",
      danger: true,
      run: async () => {
        const out = await client.impersonation.end({ impersonation_id: impersonation.id });
        fresh.delete(impersonation.user_id);
        notify(`Impersonation ended (${out.sessions_ended} session${out.sessions_ended === 1 ? "" : "s"} closed).`);
        page.refresh();
      },
    }),
  );
  return [
    impersonation.admin_email,
    impersonation.reason,
    impersonation.read_only ? "read-only" : h("span", { class: "badge bad" }, "with writes"),
    when(impersonation.created_at),
    when(impersonation.expires_at),
    impersonation.redeemed ? "yes" : "not yet",
    may(page.me, "impersonation.end") ? end : "",
  ];
}
