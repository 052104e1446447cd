// What every page shares: readable errors, a status line, buttons that show they are busy, and
// the dialog that asks for a reason (or a typed confirmation) before an action.

import { RpcError } from "../../../frontend/src/generated/panopticon.js";
import { h } from "./dom.js";

/** One sentence a support person can act on, from whatever a call threw. */
export function describe(error: unknown): string {
  if (error instanceof RpcError) {
    const body = error.error as { code: string; message: string; fields?: { path: string; message: string }[]; required_role?: string };
    switch (body.code) {
      case "invalid_input":
        return (body.fields ?? []).map((f) => `${f.path || "input"}: ${f.message}`).join("; ") || body.message;
      case "insufficient_role":
        return `Your role cannot do this (it needs ${body.required_role ?? "a higher role"}).`;
      case "unauthenticated":
        return "Your session has ended: sign in again.";
      case "rate_limited":
        return `Too many attempts: try again in ${error.retryAfterSeconds ?? "a few"} seconds.`;
      case "unavailable":
        return "The database is out of reach: try again shortly.";
      case "internal":
        return `Something went wrong on the server (request ${(body as { request_id?: string }).request_id ?? "?"}).`;
      default:
        return body.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export interface ErrorBox extends HTMLElement {
  show(error: unknown): void;
  clear(): void;
}

export function errorBox(): ErrorBox {
  const box = h("p", { class: "error", role: "alert", hidden: true });
  return Object.assign(box, {
    show(error: unknown) {
      box.textContent = describe(error);
      box.hidden = false;
    },
    clear() {
      box.textContent = "";
      box.hidden = true;
    },
  });
}

let notice: string | null = null;
let carry = false; // keep the notice across the next navigation (an action that leaves its page)

/** The status line under the header (successful actions say so there). The message survives the
 * page's re-rendering right after the action, and goes at the next navigation. */
export function notify(message: string, { acrossNavigation = false } = {}): void {
  notice = message;
  carry = acrossNavigation;
  showNotice();
}

export function showNotice(): void {
  const status = document.getElementById("status");
  if (status === null || notice === null) return;
  status.textContent = notice;
  status.hidden = false;
}

export function forgetNotice(): void {
  if (carry) carry = false;
  else notice = null;
}

/** Run `action` with `button` disabled; its error goes to `errors`. */
export async function busy(button: HTMLButtonElement | null, errors: { show(e: unknown): void; clear(): void }, action: () => Promise<void>): Promise<void> {
  errors.clear();
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    errors.show(error);
  } finally {
    if (button) button.disabled = false;
  }
}

export interface DialogField {
  name: string;
  label: string;
  type?: "text" | "number" | "checkbox" | "select";
  required?: boolean;
  value?: string;
  min?: number;
  max?: number;
  options?: { value: string; label: string }[];
  /** The value must be exactly this (a typed confirmation) before the action is allowed. */
  mustEqual?: string;
  help?: string;
}

export interface DialogSpec {
  title: string;
  text?: string;
  fields: DialogField[];
  confirm: string;
  danger?: boolean;
  /** The action itself: an error keeps the dialog open and is shown in it. */
  run: (values: Record<string, string>) => Promise<void>;
}

/** A modal dialog asking for the fields (a reason, a typed name), then running the action. */
export function dialog(spec: DialogSpec): Promise<boolean> {
  return new Promise((resolve) => {
    const errors = errorBox();
    const confirm = h("button", { type: "submit", class: spec.danger ? "danger" : "primary", name: "confirm" }, spec.confirm);
    const cancel = h("button", { type: "button", name: "cancel" }, "Cancel");
    const controls = spec.fields.map((f) => {
      const id = `d-${f.name}`;
      let control: HTMLElement;
      if (f.type === "select") {
        control = h("select", { name: f.name, id, required: f.required ?? false }, (f.options ?? []).map((o) => h("option", { value: o.value }, o.label)));
      } else if (f.type === "checkbox") {
        control = h("input", { type: "checkbox", name: f.name, id, checked: f.value === "on" });
      } else {
        control = h("input", {
          type: f.type ?? "text",
          name: f.name,
          id,
          required: f.required ?? false,
          value: f.value,
          min: f.min,
          max: f.max,
          autocomplete: "off",
        });
      }
      return h("label", { class: f.type === "checkbox" ? "check" : "" }, h("span", {}, f.label), control, f.help ? h("small", {}, f.help) : null);
    });
    const form = h("form", { method: "dialog" }, h("h2", {}, spec.title), spec.text ? h("p", {}, spec.text) : null, controls, errors, h("div", { class: "actions" }, cancel, confirm));
    const box = h("dialog", { class: "dialog" }, form);
    const values = (): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const f of spec.fields) {
        const element = form.elements.namedItem(f.name);
        if (element instanceof HTMLInputElement && element.type === "checkbox") out[f.name] = element.checked ? "on" : "";
        else if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) out[f.name] = element.value;
      }
      return out;
    };
    const typed = spec.fields.filter((f) => f.mustEqual !== undefined);
    const check = () => {
      const current = values();
      confirm.disabled = typed.some((f) => current[f.name] !== f.mustEqual);
    };
    form.addEventListener("input", check);
    check();
    const close = (done: boolean) => {
      box.close();
      box.remove();
      resolve(done);
    };
    cancel.addEventListener("click", () => close(false));
    box.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void busy(confirm, errors, async () => {
        await spec.run(values());
        close(true);
      });
    });
    document.body.appendChild(box);
    box.showModal();
  });
}
