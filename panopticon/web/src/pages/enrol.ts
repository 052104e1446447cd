// Enrolment, from the one-time code `just admin create` (or an owner's invitation) printed:
// choose a password, add the TOTP secret to an authenticator app, confirm a first code, and
// keep the ten recovery codes, shown this once.

import { client } from "../context.js";
import { field, h, input, mount } from "../dom.js";
import { qrImage } from "../qr.js";
import { busy, errorBox } from "../ui.js";

export function enrolPage(code: string): HTMLElement {
  const container = h("div", { class: "center" });
  mount(container, passwordStep(container, code));
  return container;
}

function passwordStep(container: HTMLElement, code: string): HTMLElement {
  const errors = errorBox();
  const submit = h("button", { type: "submit", class: "primary", name: "enrol-start" }, "Continue");
  const form = h(
    "form",
    { class: "card narrow", id: "enrol-start" },
    h("h1", {}, "Enrol as an administrator"),
    h("p", {}, "Step 1 of 3: choose a password (at least 12 characters; a passphrase of a few words works well)."),
    field("Enrolment code", "code", { required: true, value: code, autocomplete: "off" }),
    field("New password", "password", { type: "password", autocomplete: "new-password", required: true, minlength: 12 }),
    field("Repeat the password", "password2", { type: "password", autocomplete: "new-password", required: true }),
    errors,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, errors, async () => {
      if (input(form, "password") !== input(form, "password2")) throw new Error("The two passwords differ.");
      const enrolment = input(form, "code").trim();
      const started = await client.auth.enrol.start({ code: enrolment, password: input(form, "password") });
      mount(container, secretStep(container, enrolment, started.otpauth_uri, started.secret));
    });
  });
  return form;
}

function secretStep(container: HTMLElement, code: string, uri: string, secret: string): HTMLElement {
  const errors = errorBox();
  const submit = h("button", { type: "submit", class: "primary", name: "enrol-confirm" }, "Confirm");
  const form = h(
    "form",
    { class: "card narrow", id: "enrol-confirm" },
    h("h1", {}, "Add panopticon to your authenticator app"),
    h("p", {}, "Step 2 of 3: in the app (1Password, Google Authenticator, Aegis…), scan this code, or open the link, or type the secret in by hand."),
    h("p", { class: "qr" }, qrImage(uri)),
    h("p", {}, h("a", { href: uri, id: "otpauth-uri", class: "mono" }, uri)),
    h("p", {}, "Secret: ", h("code", { id: "totp-secret" }, secret)),
    field("The 6-digit code the app shows now", "totp_code", { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: 6, required: true }),
    errors,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, errors, async () => {
      const confirmed = await client.auth.enrol.confirm({ code, totp_code: input(form, "totp_code").trim() });
      mount(container, recoveryStep(confirmed.recovery_codes));
    });
  });
  return form;
}

function recoveryStep(codes: string[]): HTMLElement {
  return h(
    "div",
    { class: "card narrow", id: "enrol-done" },
    h("h1", {}, "Keep your recovery codes"),
    h("p", {}, "Step 3 of 3: each code replaces an authenticator code once, if you lose the device. They are shown only now: store them in your password manager."),
    h("ol", { id: "recovery-codes", class: "mono" }, codes.map((c) => h("li", {}, c))),
    h("div", { class: "actions" }, h("a", { href: "#/login", class: "button primary", id: "to-login" }, "I have stored them: sign in")),
  );
}
