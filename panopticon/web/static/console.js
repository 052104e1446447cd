// frontend/src/generated/runtime.ts
var RpcError = class extends Error {
  constructor(route, status, error, retryAfterSeconds) {
    super(`${route}: ${error.code}: ${error.message}`);
    this.route = route;
    this.status = status;
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
    this.name = "RpcError";
  }
  route;
  status;
  error;
  retryAfterSeconds;
};
function request(config, route, input2, options, accept) {
  const fetchImpl = config.fetch ?? globalThis.fetch;
  return fetchImpl(`${config.baseUrl.replace(/\/$/, "")}/rpc/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept, ...config.headers, ...options?.headers },
    body: JSON.stringify(input2 ?? {}),
    signal: options?.signal,
    ...config.credentials ? { credentials: config.credentials } : {}
  });
}
async function failure(route, response) {
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = void 0;
  }
  const retryAfter = response.headers.get("retry-after");
  return new RpcError(
    route,
    response.status,
    body?.error ?? { code: `http_${response.status}`, message: text.slice(0, 200) },
    retryAfter === null ? void 0 : Number(retryAfter)
  );
}
async function call(config, route, input2, options) {
  const response = await request(config, route, input2, options, "application/json");
  if (!response.ok) throw await failure(route, response);
  return await response.json();
}
function batchError(route, status, answer) {
  const error = answer?.error;
  const data = error?.data ?? {};
  const code = data.code ?? (error ? `jsonrpc_${error.code}` : "internal");
  return new RpcError(route, status, { ...data, code, message: error?.message ?? "no answer" }, data.retry_after_seconds);
}
async function batch(config, calls, options) {
  if (calls.length === 0) return [];
  const fetchImpl = config.fetch ?? globalThis.fetch;
  const response = await fetchImpl(`${config.baseUrl.replace(/\/$/, "")}/jsonrpc`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...config.headers, ...options?.headers },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", method: c.route, params: c.input ?? {}, id }))),
    signal: options?.signal,
    ...config.credentials ? { credentials: config.credentials } : {}
  });
  const text = await response.text();
  let answers;
  try {
    answers = JSON.parse(text);
  } catch {
    answers = void 0;
  }
  if (!Array.isArray(answers)) {
    if (answers === void 0) {
      throw new RpcError("batch", response.status, { code: `http_${response.status}`, message: text.slice(0, 200) });
    }
    throw batchError("batch", response.status, answers);
  }
  const byId = new Map(answers.map((answer) => [answer.id, answer]));
  return calls.map((call2, id) => {
    const answer = byId.get(id);
    if (answer !== void 0 && "result" in answer) return { ok: true, value: answer.result };
    return { ok: false, error: batchError(call2.route, response.status, answer) };
  });
}

// frontend/src/generated/panopticon.ts
var batchCalls = {
  admins: {
    disable: (input2) => ({ route: "admins.disable", input: input2 }),
    invite: (input2) => ({ route: "admins.invite", input: input2 }),
    list: (input2 = {}) => ({ route: "admins.list", input: input2 }),
    set_role: (input2) => ({ route: "admins.set_role", input: input2 })
  },
  auth: {
    enrol: {
      confirm: (input2) => ({ route: "auth.enrol.confirm", input: input2 }),
      start: (input2) => ({ route: "auth.enrol.start", input: input2 })
    },
    login: (input2) => ({ route: "auth.login", input: input2 }),
    logout: (input2 = {}) => ({ route: "auth.logout", input: input2 }),
    me: (input2 = {}) => ({ route: "auth.me", input: input2 })
  },
  system: {
    whoami: (input2 = {}) => ({ route: "system.whoami", input: input2 })
  }
};
function createClient(config) {
  return {
    admins: {
      /** Disable an administrator: they cannot log in, and their sessions end at once. */
      disable: (input2, options) => call(config, "admins.disable", input2, options),
      /** Create an administrator with this role and an enrolment code (valid 24 hours). */
      invite: (input2, options) => call(config, "admins.invite", input2, options),
      /** Every administrator, by email. */
      list: (input2 = {}, options) => call(config, "admins.list", input2, options),
      /** Give an administrator another role (effective at their next request). */
      set_role: (input2, options) => call(config, "admins.set_role", input2, options)
    },
    auth: {
      enrol: {
        /** Confirm the TOTP secret with its first code: the enrolment code is spent, the administrator */
        confirm: (input2, options) => call(config, "auth.enrol.confirm", input2, options),
        /** With an enrolment code: choose a password and receive a new TOTP secret (again on a retry, */
        start: (input2, options) => call(config, "auth.enrol.start", input2, options)
      },
      /** Password and a second factor (a TOTP code, or one recovery code); starts a session and sets */
      login: (input2, options) => call(config, "auth.login", input2, options),
      /** End this session on the server and clear the cookie. */
      logout: (input2 = {}, options) => call(config, "auth.logout", input2, options),
      /** The signed-in administrator. */
      me: (input2 = {}, options) => call(config, "auth.me", input2, options)
    },
    system: {
      /** Which app answered and which administrator is calling. */
      whoami: (input2 = {}, options) => call(config, "system.whoami", input2, options)
    },
    /** Several calls in one request (POST /jsonrpc): their results or errors, typed, in order. */
    batch: (build, options) => batch(config, build(batchCalls), options)
  };
}

// panopticon/web/src/context.ts
var client = createClient({ baseUrl: "" });
var LADDER = ["viewer", "support", "operator", "owner"];
function allows(me2, minimum) {
  return LADDER.indexOf(me2.role) >= LADDER.indexOf(minimum);
}
function go(path) {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}

// panopticon/web/src/dom.ts
function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === void 0 || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}
function append(parent, children) {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child === null || child === void 0 || child === false) continue;
    else parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}
function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}
function field(label, name, attrs = {}) {
  return h("label", {}, h("span", {}, label), h("input", { name, id: `f-${name}`, ...attrs }));
}
function input(form, name) {
  const element = form.elements.namedItem(name);
  if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement) {
    if (element instanceof HTMLInputElement && element.type === "checkbox") return element.checked ? "on" : "";
    return element.value;
  }
  return "";
}
function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return h("time", { datetime: iso, title: iso }, date.toLocaleString());
}
function table(headings, rows, empty = "Nothing here.") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, headings.map((heading) => h("th", {}, heading)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell)))))
  );
}

// panopticon/web/src/ui.ts
function describe(error) {
  if (error instanceof RpcError) {
    const body = error.error;
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
        return `Something went wrong on the server (request ${body.request_id ?? "?"}).`;
      default:
        return body.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
function errorBox() {
  const box = h("p", { class: "error", role: "alert", hidden: true });
  return Object.assign(box, {
    show(error) {
      box.textContent = describe(error);
      box.hidden = false;
    },
    clear() {
      box.textContent = "";
      box.hidden = true;
    }
  });
}
function notify(message) {
  const status = document.getElementById("status");
  if (status === null) return;
  status.textContent = message;
  status.hidden = false;
}
async function busy(button, errors, action) {
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
function dialog(spec) {
  return new Promise((resolve) => {
    const errors = errorBox();
    const confirm = h("button", { type: "submit", class: spec.danger ? "danger" : "primary", name: "confirm" }, spec.confirm);
    const cancel = h("button", { type: "button", name: "cancel" }, "Cancel");
    const controls = spec.fields.map((f) => {
      const id = `d-${f.name}`;
      let control;
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
          autocomplete: "off"
        });
      }
      return h("label", { class: f.type === "checkbox" ? "check" : "" }, h("span", {}, f.label), control, f.help ? h("small", {}, f.help) : null);
    });
    const form = h("form", { method: "dialog" }, h("h2", {}, spec.title), spec.text ? h("p", {}, spec.text) : null, controls, errors, h("div", { class: "actions" }, cancel, confirm));
    const box = h("dialog", { class: "dialog" }, form);
    const values = () => {
      const out = {};
      for (const f of spec.fields) {
        const element = form.elements.namedItem(f.name);
        if (element instanceof HTMLInputElement && element.type === "checkbox") out[f.name] = element.checked ? "on" : "";
        else if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) out[f.name] = element.value;
      }
      return out;
    };
    const typed = spec.fields.filter((f) => f.mustEqual !== void 0);
    const check = () => {
      const current = values();
      confirm.disabled = typed.some((f) => current[f.name] !== f.mustEqual);
    };
    form.addEventListener("input", check);
    check();
    const close = (done) => {
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

// panopticon/web/src/pages/enrol.ts
function enrolPage(code) {
  const container = h("div", { class: "center" });
  mount(container, passwordStep(container, code));
  return container;
}
function passwordStep(container, code) {
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
    h("div", { class: "actions" }, submit)
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
function secretStep(container, code, uri, secret) {
  const errors = errorBox();
  const submit = h("button", { type: "submit", class: "primary", name: "enrol-confirm" }, "Confirm");
  const form = h(
    "form",
    { class: "card narrow", id: "enrol-confirm" },
    h("h1", {}, "Add panopticon to your authenticator app"),
    h("p", {}, "Step 2 of 3: in the app (1Password, Google Authenticator, Aegis…), add an account with this link, or type the secret in by hand."),
    h("p", {}, h("a", { href: uri, id: "otpauth-uri", class: "mono" }, uri)),
    h("p", {}, "Secret: ", h("code", { id: "totp-secret" }, secret)),
    field("The 6-digit code the app shows now", "totp_code", { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: 6, required: true }),
    errors,
    h("div", { class: "actions" }, submit)
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
function recoveryStep(codes) {
  return h(
    "div",
    { class: "card narrow", id: "enrol-done" },
    h("h1", {}, "Keep your recovery codes"),
    h("p", {}, "Step 3 of 3: each code replaces an authenticator code once, if you lose the device. They are shown only now: store them in your password manager."),
    h("ol", { id: "recovery-codes", class: "mono" }, codes.map((c) => h("li", {}, c))),
    h("div", { class: "actions" }, h("a", { href: "#/login", class: "button primary", id: "to-login" }, "I have stored them: sign in"))
  );
}

// panopticon/web/src/pages/login.ts
function loginPage(signedIn) {
  const errors = errorBox();
  let recovery = false;
  const second = h("div", {});
  const toggle = h("button", { type: "button", class: "link", name: "use-recovery" });
  const showSecond = () => {
    second.replaceChildren(
      recovery ? field("Recovery code", "recovery_code", { autocomplete: "off", required: true, placeholder: "abcd-efgh-jkmn-pqrs" }) : field("Authenticator code", "totp_code", { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: 6, required: true })
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
    h("p", { class: "hint" }, "New administrator? Open the enrolment link you were given, or ", h("a", { href: "#/enrol" }, "enter your enrolment code"), ".")
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, errors, async () => {
      const admin = await client.auth.login({
        email: input(form, "email").trim(),
        password: input(form, "password"),
        ...recovery ? { recovery_code: input(form, "recovery_code").trim() } : { totp_code: input(form, "totp_code").trim() }
      });
      signedIn(admin);
    });
  });
  return h("div", { class: "center" }, form);
}

// panopticon/web/src/pages/admins.ts
var ROLES = ["viewer", "support", "operator", "owner"];
async function adminsPage(page) {
  const { admins } = await client.admins.list();
  const invite = h("button", { type: "button", class: "primary", name: "invite" }, "Invite an administrator");
  const result = h("div", {});
  invite.addEventListener(
    "click",
    () => void dialog({
      title: "Invite an administrator",
      fields: [
        { name: "email", label: "Email", required: true },
        { name: "role", label: "Role", type: "select", options: ROLES.map((r) => ({ value: r, label: r })) }
      ],
      confirm: "Invite",
      run: async (values) => {
        const out = await client.admins.invite({ email: values.email ?? "", role: values.role ?? "viewer" });
        const url = `${location.origin}/#/enrol/${encodeURIComponent(out.enrolment_code)}`;
        result.replaceChildren(
          h(
            "div",
            { class: "card" },
            h("p", {}, `Invited ${out.admin.email}. Hand them this enrolment link privately; it is shown only now and works until `, when(out.expires_at), ":"),
            h("p", {}, h("code", { id: "enrolment-link" }, url))
          )
        );
      }
    })
  );
  const rows = admins.map((admin) => {
    const actions = h("div", { class: "row-actions" });
    if (admin.id !== page.me.id && admin.disabled_at === null && allows(page.me, "owner")) {
      const role = h("button", { type: "button", name: "set-role" }, "Change role");
      role.addEventListener(
        "click",
        () => void dialog({
          title: `Role of ${admin.email}`,
          fields: [{ name: "role", label: "Role", type: "select", options: ROLES.map((r) => ({ value: r, label: r })) }],
          confirm: "Change",
          run: async (values) => {
            await client.admins.set_role({ admin_id: admin.id, role: values.role ?? admin.role });
            notify(`${admin.email} is now ${values.role}.`);
            page.refresh();
          }
        })
      );
      const disable = h("button", { type: "button", class: "danger", name: "disable-admin" }, "Disable");
      disable.addEventListener(
        "click",
        () => void dialog({
          title: `Disable ${admin.email}?`,
          text: "They can no longer sign in, and their sessions end at once.",
          fields: [],
          confirm: "Disable",
          danger: true,
          run: async () => {
            await client.admins.disable({ admin_id: admin.id });
            notify(`${admin.email} is disabled.`);
            page.refresh();
          }
        })
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
    table(["Email", "Role", "State", "Enrolled", ""], rows)
  );
}

// panopticon/web/src/pages/index.ts
var PAGES = {
  admins: adminsPage
};
var NAV = [
  { path: "admins", label: "Administrators", visible: (me2) => allows(me2, "owner") }
];
var DEFAULT_PAGE = "admins";

// panopticon/web/src/main.ts
var root = document.getElementById("app");
var me = null;
function parse() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}
function shell(current, active, content) {
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
        NAV.filter((item) => item.visible(current)).map((item) => h("a", { href: `#/${item.path}`, class: item.path === active ? "active" : "" }, item.label))
      ),
      h("span", { class: "who" }, h("span", { id: "me" }, current.email), " ", h("span", { class: `role role-${current.role}` }, current.role), " ", logout)
    ),
    h("p", { id: "status", role: "status", hidden: true }),
    h("main", {}, content)
  );
}
async function render() {
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
    const next = first === "login" ? query.get("next") ?? "/" : location.hash.replace(/^#/, "") || "/";
    mount(
      root,
      loginPage((admin) => {
        me = admin;
        go(next.startsWith("/login") ? "/" : next);
      })
    );
    return;
  }
  const current = me;
  const name = first || DEFAULT_PAGE;
  const view = PAGES[name];
  const content = h("div", { class: "page" }, h("p", { class: "loading" }, "Loading…"));
  mount(root, shell(current, name, content));
  if (view === void 0) {
    mount(content, h("h1", {}, "Not found"), h("p", {}, "No such page."));
    return;
  }
  const page = { me: current, parts, query, refresh: () => void render() };
  try {
    mount(content, await view(page));
  } catch (error) {
    if (error instanceof RpcError && error.status === 401) {
      me = null;
      go(`/login?next=${encodeURIComponent(location.hash.replace(/^#/, ""))}`);
      return;
    }
    mount(content, h("p", { class: "error", role: "alert" }, describe(error)));
  }
}
window.addEventListener("hashchange", () => void render());
void render();
