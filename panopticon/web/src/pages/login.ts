// Sign in: email, password and a TOTP code from the authenticator app, or one recovery code.

import type { AdminOut } from "../../../../frontend/src/generated/panopticon.js";
import { client } from "../context.js";
import { field, h, input } from "../dom.js";
import { busy, errorBox } from "../ui.js";

export function loginPage(signedIn: (admin: AdminOut) => void): HTMLElement {
  const errors = errorBox();
  let recovery = false;
  const second = h("div", {});
  const toggle = h("button", { type: "button", class: "link", name: "use-recovery" });
  const showSecond = () => {
    second.replaceChildren(
      recovery
        ? field("Recovery code", "recovery_code", { autocomplete: "off", required: true, placeholder: "abcd-efgh-jkmn-pqrs" })
        : field("Authenticator code", "totp_code", { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: 6, required: true }),
    );
    toggle.textContent = recovery ? "Use the authenticator app instead" : "Use a recovery code instead";
  };
  toggle.addEventListener("click", () => {
    recovery = !recovery;
    showSecond();
  });
  showSecond();
  const submit = h("button", { type: "submit", class: "primary", name: "sign-in" }, "Sign in");
  const form = h(
    "form",
    { class: "card narrow", id: "login" },
    h("h1", {}, "Sign in to panopticon"),
    field("Email", "email", { type: "email", autocomplete: "username", required: true, autofocus: true }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
    second,
    toggle,
    errors,
    h("div", { class: "actions" }, submit),
    h("p", { class: "hint" }, "New administrator? Open the enrolment link you were given, or ", h("a", { href: "#/enrol" }, "enter your enrolment code"), "."),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, errors, async () => {
      const admin = await client.auth.login({
        email: input(form, "email").trim(),
        password: input(form, "password"),
        ...(recovery ? { recovery_code: input(form, "recovery_code").trim() } : { totp_code: input(form, "totp_code").trim() }),
      });
      signedIn(admin);
    });
  });
  return h("div", { class: "center" }, form);
}
