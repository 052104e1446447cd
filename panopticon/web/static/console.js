// Blossom panopticon console. Includes qrcode-generator, (c) 2009 Kazuhiko Arase, MIT license.

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
  audit: {
    list: (input2) => ({ route: "audit.list", input: input2 })
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
  impersonation: {
    end: (input2) => ({ route: "impersonation.end", input: input2 }),
    list: (input2 = {}) => ({ route: "impersonation.list", input: input2 }),
    start: (input2) => ({ route: "impersonation.start", input: input2 })
  },
  orgs: {
    delete: (input2) => ({ route: "orgs.delete", input: input2 }),
    get: (input2) => ({ route: "orgs.get", input: input2 }),
    invites: {
      cancel: (input2) => ({ route: "orgs.invites.cancel", input: input2 })
    },
    members: {
      remove: (input2) => ({ route: "orgs.members.remove", input: input2 })
    },
    ownership: {
      transfer: (input2) => ({ route: "orgs.ownership.transfer", input: input2 })
    }
  },
  search: {
    orgs: (input2) => ({ route: "search.orgs", input: input2 }),
    users: (input2) => ({ route: "search.users", input: input2 })
  },
  system: {
    status: (input2 = {}) => ({ route: "system.status", input: input2 }),
    whoami: (input2 = {}) => ({ route: "system.whoami", input: input2 })
  },
  users: {
    disable: (input2) => ({ route: "users.disable", input: input2 }),
    enable: (input2) => ({ route: "users.enable", input: input2 }),
    get: (input2) => ({ route: "users.get", input: input2 }),
    password_reset: {
      send: (input2) => ({ route: "users.password_reset.send", input: input2 })
    },
    sessions: {
      revoke: (input2) => ({ route: "users.sessions.revoke", input: input2 })
    },
    verification: {
      resend: (input2) => ({ route: "users.verification.resend", input: input2 })
    }
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
    audit: {
      /** Audit entries of every organization, account and administrator, newest first. */
      list: (input2, options) => call(config, "audit.list", input2, options)
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
    impersonation: {
      /** End an impersonation now: its product session ends at once. */
      end: (input2, options) => call(config, "impersonation.end", input2, options),
      /** Open impersonations (not ended, not expired), newest first. */
      list: (input2 = {}, options) => call(config, "impersonation.list", input2, options),
      /** Start impersonating a user: a one-time code that opens a product session as them. */
      start: (input2, options) => call(config, "impersonation.start", input2, options)
    },
    orgs: {
      /** Delete the organization and everything in it. `confirm_name` must be its name. */
      delete: (input2, options) => call(config, "orgs.delete", input2, options),
      /** An organization's members and roles, pending invitations and recent audit entries. */
      get: (input2, options) => call(config, "orgs.get", input2, options),
      invites: {
        /** Cancel a pending invitation of the organization. */
        cancel: (input2, options) => call(config, "orgs.invites.cancel", input2, options)
      },
      members: {
        /** Remove a member from the organization (not its last owner). */
        remove: (input2, options) => call(config, "orgs.members.remove", input2, options)
      },
      ownership: {
        /** Make a member the organization's owner; every other owner becomes an admin. */
        transfer: (input2, options) => call(config, "orgs.ownership.transfer", input2, options)
      }
    },
    search: {
      /** Organizations whose name or id starts with the query (any case), newest first. */
      orgs: (input2, options) => call(config, "search.orgs", input2, options),
      /** Users whose email, display name or id starts with the query (any case), newest first. */
      users: (input2, options) => call(config, "search.users", input2, options)
    },
    system: {
      /** Schema version, database size and connection counts, and the app's version. */
      status: (input2 = {}, options) => call(config, "system.status", input2, options),
      /** Which app answered and which administrator is calling. */
      whoami: (input2 = {}, options) => call(config, "system.whoami", input2, options)
    },
    users: {
      /** Disable the account: it cannot log in, and every session of it ends now. */
      disable: (input2, options) => call(config, "users.disable", input2, options),
      /** Re-enable a disabled account (it logs in again; its ended sessions stay ended). */
      enable: (input2, options) => call(config, "users.enable", input2, options),
      /** A user's profile, organizations and roles, active sessions and recent audit entries. */
      get: (input2, options) => call(config, "users.get", input2, options),
      password_reset: {
        /** Mail the user a password-reset code (replacing any open one), as if they had asked. */
        send: (input2, options) => call(config, "users.password_reset.send", input2, options)
      },
      sessions: {
        /** End one session of the user, or all of them when `session_id` is absent. */
        revoke: (input2, options) => call(config, "users.sessions.revoke", input2, options)
      },
      verification: {
        /** Mail the user a new email-verification code (unless their email is already verified). */
        resend: (input2, options) => call(config, "users.verification.resend", input2, options)
      }
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
var MINIMUM_ROLE = {
  "users.sessions.revoke": "support",
  "users.verification.resend": "support",
  "users.password_reset.send": "support",
  "users.disable": "operator",
  "users.enable": "operator",
  "orgs.members.remove": "operator",
  "orgs.invites.cancel": "operator",
  "orgs.ownership.transfer": "operator",
  "orgs.delete": "operator",
  "impersonation.start": "support",
  // with writes: operator
  "impersonation.end": "support",
  "admins.list": "owner"
};
function may(me2, route) {
  return allows(me2, MINIMUM_ROLE[route]);
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
function link(href, text) {
  return h("a", { href }, text);
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
var notice = null;
var carry = false;
function notify(message, { acrossNavigation = false } = {}) {
  notice = message;
  carry = acrossNavigation;
  showNotice();
}
function showNotice() {
  const status = document.getElementById("status");
  if (status === null || notice === null) return;
  status.textContent = notice;
  status.hidden = false;
}
function forgetNotice() {
  if (carry) carry = false;
  else notice = null;
}
async function busy(button3, errors, action) {
  errors.clear();
  if (button3) button3.disabled = true;
  try {
    await action();
  } catch (error) {
    errors.show(error);
  } finally {
    if (button3) button3.disabled = false;
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

// frontend/node_modules/qrcode-generator/dist/qrcode.mjs
var qrcode = function(typeNumber, errorCorrectionLevel) {
  const PAD0 = 236;
  const PAD1 = 17;
  let _typeNumber = typeNumber;
  const _errorCorrectionLevel = QRErrorCorrectionLevel[errorCorrectionLevel];
  let _modules = null;
  let _moduleCount = 0;
  let _dataCache = null;
  const _dataList = [];
  const _this = {};
  const makeImpl = function(test, maskPattern) {
    _moduleCount = _typeNumber * 4 + 17;
    _modules = (function(moduleCount) {
      const modules = new Array(moduleCount);
      for (let row2 = 0; row2 < moduleCount; row2 += 1) {
        modules[row2] = new Array(moduleCount);
        for (let col = 0; col < moduleCount; col += 1) {
          modules[row2][col] = null;
        }
      }
      return modules;
    })(_moduleCount);
    setupPositionProbePattern(0, 0);
    setupPositionProbePattern(_moduleCount - 7, 0);
    setupPositionProbePattern(0, _moduleCount - 7);
    setupPositionAdjustPattern();
    setupTimingPattern();
    setupTypeInfo(test, maskPattern);
    if (_typeNumber >= 7) {
      setupTypeNumber(test);
    }
    if (_dataCache == null) {
      _dataCache = createData(_typeNumber, _errorCorrectionLevel, _dataList);
    }
    mapData(_dataCache, maskPattern);
  };
  const setupPositionProbePattern = function(row2, col) {
    for (let r = -1; r <= 7; r += 1) {
      if (row2 + r <= -1 || _moduleCount <= row2 + r) continue;
      for (let c = -1; c <= 7; c += 1) {
        if (col + c <= -1 || _moduleCount <= col + c) continue;
        if (0 <= r && r <= 6 && (c == 0 || c == 6) || 0 <= c && c <= 6 && (r == 0 || r == 6) || 2 <= r && r <= 4 && 2 <= c && c <= 4) {
          _modules[row2 + r][col + c] = true;
        } else {
          _modules[row2 + r][col + c] = false;
        }
      }
    }
  };
  const getBestMaskPattern = function() {
    let minLostPoint = 0;
    let pattern = 0;
    for (let i = 0; i < 8; i += 1) {
      makeImpl(true, i);
      const lostPoint = QRUtil.getLostPoint(_this);
      if (i == 0 || minLostPoint > lostPoint) {
        minLostPoint = lostPoint;
        pattern = i;
      }
    }
    return pattern;
  };
  const setupTimingPattern = function() {
    for (let r = 8; r < _moduleCount - 8; r += 1) {
      if (_modules[r][6] != null) {
        continue;
      }
      _modules[r][6] = r % 2 == 0;
    }
    for (let c = 8; c < _moduleCount - 8; c += 1) {
      if (_modules[6][c] != null) {
        continue;
      }
      _modules[6][c] = c % 2 == 0;
    }
  };
  const setupPositionAdjustPattern = function() {
    const pos = QRUtil.getPatternPosition(_typeNumber);
    for (let i = 0; i < pos.length; i += 1) {
      for (let j = 0; j < pos.length; j += 1) {
        const row2 = pos[i];
        const col = pos[j];
        if (_modules[row2][col] != null) {
          continue;
        }
        for (let r = -2; r <= 2; r += 1) {
          for (let c = -2; c <= 2; c += 1) {
            if (r == -2 || r == 2 || c == -2 || c == 2 || r == 0 && c == 0) {
              _modules[row2 + r][col + c] = true;
            } else {
              _modules[row2 + r][col + c] = false;
            }
          }
        }
      }
    }
  };
  const setupTypeNumber = function(test) {
    const bits = QRUtil.getBCHTypeNumber(_typeNumber);
    for (let i = 0; i < 18; i += 1) {
      const mod = !test && (bits >> i & 1) == 1;
      _modules[Math.floor(i / 3)][i % 3 + _moduleCount - 8 - 3] = mod;
    }
    for (let i = 0; i < 18; i += 1) {
      const mod = !test && (bits >> i & 1) == 1;
      _modules[i % 3 + _moduleCount - 8 - 3][Math.floor(i / 3)] = mod;
    }
  };
  const setupTypeInfo = function(test, maskPattern) {
    const data = _errorCorrectionLevel << 3 | maskPattern;
    const bits = QRUtil.getBCHTypeInfo(data);
    for (let i = 0; i < 15; i += 1) {
      const mod = !test && (bits >> i & 1) == 1;
      if (i < 6) {
        _modules[i][8] = mod;
      } else if (i < 8) {
        _modules[i + 1][8] = mod;
      } else {
        _modules[_moduleCount - 15 + i][8] = mod;
      }
    }
    for (let i = 0; i < 15; i += 1) {
      const mod = !test && (bits >> i & 1) == 1;
      if (i < 8) {
        _modules[8][_moduleCount - i - 1] = mod;
      } else if (i < 9) {
        _modules[8][15 - i - 1 + 1] = mod;
      } else {
        _modules[8][15 - i - 1] = mod;
      }
    }
    _modules[_moduleCount - 8][8] = !test;
  };
  const mapData = function(data, maskPattern) {
    let inc = -1;
    let row2 = _moduleCount - 1;
    let bitIndex = 7;
    let byteIndex = 0;
    const maskFunc = QRUtil.getMaskFunction(maskPattern);
    for (let col = _moduleCount - 1; col > 0; col -= 2) {
      if (col == 6) col -= 1;
      while (true) {
        for (let c = 0; c < 2; c += 1) {
          if (_modules[row2][col - c] == null) {
            let dark = false;
            if (byteIndex < data.length) {
              dark = (data[byteIndex] >>> bitIndex & 1) == 1;
            }
            const mask = maskFunc(row2, col - c);
            if (mask) {
              dark = !dark;
            }
            _modules[row2][col - c] = dark;
            bitIndex -= 1;
            if (bitIndex == -1) {
              byteIndex += 1;
              bitIndex = 7;
            }
          }
        }
        row2 += inc;
        if (row2 < 0 || _moduleCount <= row2) {
          row2 -= inc;
          inc = -inc;
          break;
        }
      }
    }
  };
  const createBytes = function(buffer, rsBlocks) {
    let offset = 0;
    let maxDcCount = 0;
    let maxEcCount = 0;
    const dcdata = new Array(rsBlocks.length);
    const ecdata = new Array(rsBlocks.length);
    for (let r = 0; r < rsBlocks.length; r += 1) {
      const dcCount = rsBlocks[r].dataCount;
      const ecCount = rsBlocks[r].totalCount - dcCount;
      maxDcCount = Math.max(maxDcCount, dcCount);
      maxEcCount = Math.max(maxEcCount, ecCount);
      dcdata[r] = new Array(dcCount);
      for (let i = 0; i < dcdata[r].length; i += 1) {
        dcdata[r][i] = 255 & buffer.getBuffer()[i + offset];
      }
      offset += dcCount;
      const rsPoly = QRUtil.getErrorCorrectPolynomial(ecCount);
      const rawPoly = qrPolynomial(dcdata[r], rsPoly.getLength() - 1);
      const modPoly = rawPoly.mod(rsPoly);
      ecdata[r] = new Array(rsPoly.getLength() - 1);
      for (let i = 0; i < ecdata[r].length; i += 1) {
        const modIndex = i + modPoly.getLength() - ecdata[r].length;
        ecdata[r][i] = modIndex >= 0 ? modPoly.getAt(modIndex) : 0;
      }
    }
    let totalCodeCount = 0;
    for (let i = 0; i < rsBlocks.length; i += 1) {
      totalCodeCount += rsBlocks[i].totalCount;
    }
    const data = new Array(totalCodeCount);
    let index = 0;
    for (let i = 0; i < maxDcCount; i += 1) {
      for (let r = 0; r < rsBlocks.length; r += 1) {
        if (i < dcdata[r].length) {
          data[index] = dcdata[r][i];
          index += 1;
        }
      }
    }
    for (let i = 0; i < maxEcCount; i += 1) {
      for (let r = 0; r < rsBlocks.length; r += 1) {
        if (i < ecdata[r].length) {
          data[index] = ecdata[r][i];
          index += 1;
        }
      }
    }
    return data;
  };
  const createData = function(typeNumber2, errorCorrectionLevel2, dataList) {
    const rsBlocks = QRRSBlock.getRSBlocks(typeNumber2, errorCorrectionLevel2);
    const buffer = qrBitBuffer();
    for (let i = 0; i < dataList.length; i += 1) {
      const data = dataList[i];
      buffer.put(data.getMode(), 4);
      buffer.put(data.getLength(), QRUtil.getLengthInBits(data.getMode(), typeNumber2));
      data.write(buffer);
    }
    let totalDataCount = 0;
    for (let i = 0; i < rsBlocks.length; i += 1) {
      totalDataCount += rsBlocks[i].dataCount;
    }
    if (buffer.getLengthInBits() > totalDataCount * 8) {
      throw "code length overflow. (" + buffer.getLengthInBits() + ">" + totalDataCount * 8 + ")";
    }
    if (buffer.getLengthInBits() + 4 <= totalDataCount * 8) {
      buffer.put(0, 4);
    }
    while (buffer.getLengthInBits() % 8 != 0) {
      buffer.putBit(false);
    }
    while (true) {
      if (buffer.getLengthInBits() >= totalDataCount * 8) {
        break;
      }
      buffer.put(PAD0, 8);
      if (buffer.getLengthInBits() >= totalDataCount * 8) {
        break;
      }
      buffer.put(PAD1, 8);
    }
    return createBytes(buffer, rsBlocks);
  };
  _this.addData = function(data, mode) {
    mode = mode || "Byte";
    let newData = null;
    switch (mode) {
      case "Numeric":
        newData = qrNumber(data);
        break;
      case "Alphanumeric":
        newData = qrAlphaNum(data);
        break;
      case "Byte":
        newData = qr8BitByte(data);
        break;
      case "Kanji":
        newData = qrKanji(data);
        break;
      default:
        throw "mode:" + mode;
    }
    _dataList.push(newData);
    _dataCache = null;
  };
  _this.isDark = function(row2, col) {
    if (row2 < 0 || _moduleCount <= row2 || col < 0 || _moduleCount <= col) {
      throw row2 + "," + col;
    }
    return _modules[row2][col];
  };
  _this.getModuleCount = function() {
    return _moduleCount;
  };
  _this.make = function() {
    if (_typeNumber < 1) {
      let typeNumber2 = 1;
      for (; typeNumber2 < 40; typeNumber2++) {
        const rsBlocks = QRRSBlock.getRSBlocks(typeNumber2, _errorCorrectionLevel);
        const buffer = qrBitBuffer();
        for (let i = 0; i < _dataList.length; i++) {
          const data = _dataList[i];
          buffer.put(data.getMode(), 4);
          buffer.put(data.getLength(), QRUtil.getLengthInBits(data.getMode(), typeNumber2));
          data.write(buffer);
        }
        let totalDataCount = 0;
        for (let i = 0; i < rsBlocks.length; i++) {
          totalDataCount += rsBlocks[i].dataCount;
        }
        if (buffer.getLengthInBits() <= totalDataCount * 8) {
          break;
        }
      }
      _typeNumber = typeNumber2;
    }
    makeImpl(false, getBestMaskPattern());
  };
  _this.createTableTag = function(cellSize, margin) {
    cellSize = cellSize || 2;
    margin = typeof margin == "undefined" ? cellSize * 4 : margin;
    let qrHtml = "";
    qrHtml += '<table style="';
    qrHtml += " border-width: 0px; border-style: none;";
    qrHtml += " border-collapse: collapse;";
    qrHtml += " padding: 0px; margin: " + margin + "px;";
    qrHtml += '">';
    qrHtml += "<tbody>";
    for (let r = 0; r < _this.getModuleCount(); r += 1) {
      qrHtml += "<tr>";
      for (let c = 0; c < _this.getModuleCount(); c += 1) {
        qrHtml += '<td style="';
        qrHtml += " border-width: 0px; border-style: none;";
        qrHtml += " border-collapse: collapse;";
        qrHtml += " padding: 0px; margin: 0px;";
        qrHtml += " width: " + cellSize + "px;";
        qrHtml += " height: " + cellSize + "px;";
        qrHtml += " background-color: ";
        qrHtml += _this.isDark(r, c) ? "#000000" : "#ffffff";
        qrHtml += ";";
        qrHtml += '"/>';
      }
      qrHtml += "</tr>";
    }
    qrHtml += "</tbody>";
    qrHtml += "</table>";
    return qrHtml;
  };
  _this.createSvgTag = function(cellSize, margin, alt, title) {
    let opts = {};
    if (typeof arguments[0] == "object") {
      opts = arguments[0];
      cellSize = opts.cellSize;
      margin = opts.margin;
      alt = opts.alt;
      title = opts.title;
    }
    cellSize = cellSize || 2;
    margin = typeof margin == "undefined" ? cellSize * 4 : margin;
    alt = typeof alt === "string" ? { text: alt } : alt || {};
    alt.text = alt.text || null;
    alt.id = alt.text ? alt.id || "qrcode-description" : null;
    title = typeof title === "string" ? { text: title } : title || {};
    title.text = title.text || null;
    title.id = title.text ? title.id || "qrcode-title" : null;
    const size = _this.getModuleCount() * cellSize + margin * 2;
    let c, mc, r, mr, qrSvg = "", rect;
    rect = "l" + cellSize + ",0 0," + cellSize + " -" + cellSize + ",0 0,-" + cellSize + "z ";
    qrSvg += '<svg version="1.1" xmlns="http://www.w3.org/2000/svg"';
    qrSvg += !opts.scalable ? ' width="' + size + 'px" height="' + size + 'px"' : "";
    qrSvg += ' viewBox="0 0 ' + size + " " + size + '" ';
    qrSvg += ' preserveAspectRatio="xMinYMin meet"';
    qrSvg += title.text || alt.text ? ' role="img" aria-labelledby="' + escapeXml([title.id, alt.id].join(" ").trim()) + '"' : "";
    qrSvg += ">";
    qrSvg += title.text ? '<title id="' + escapeXml(title.id) + '">' + escapeXml(title.text) + "</title>" : "";
    qrSvg += alt.text ? '<description id="' + escapeXml(alt.id) + '">' + escapeXml(alt.text) + "</description>" : "";
    qrSvg += '<rect width="100%" height="100%" fill="white" cx="0" cy="0"/>';
    qrSvg += '<path d="';
    for (r = 0; r < _this.getModuleCount(); r += 1) {
      mr = r * cellSize + margin;
      for (c = 0; c < _this.getModuleCount(); c += 1) {
        if (_this.isDark(r, c)) {
          mc = c * cellSize + margin;
          qrSvg += "M" + mc + "," + mr + rect;
        }
      }
    }
    qrSvg += '" stroke="transparent" fill="black"/>';
    qrSvg += "</svg>";
    return qrSvg;
  };
  _this.createDataURL = function(cellSize, margin) {
    cellSize = cellSize || 2;
    margin = typeof margin == "undefined" ? cellSize * 4 : margin;
    const size = _this.getModuleCount() * cellSize + margin * 2;
    const min = margin;
    const max = size - margin;
    return createDataURL(size, size, function(x, y) {
      if (min <= x && x < max && min <= y && y < max) {
        const c = Math.floor((x - min) / cellSize);
        const r = Math.floor((y - min) / cellSize);
        return _this.isDark(r, c) ? 0 : 1;
      } else {
        return 1;
      }
    });
  };
  _this.createImgTag = function(cellSize, margin, alt) {
    cellSize = cellSize || 2;
    margin = typeof margin == "undefined" ? cellSize * 4 : margin;
    const size = _this.getModuleCount() * cellSize + margin * 2;
    let img = "";
    img += "<img";
    img += ' src="';
    img += _this.createDataURL(cellSize, margin);
    img += '"';
    img += ' width="';
    img += size;
    img += '"';
    img += ' height="';
    img += size;
    img += '"';
    if (alt) {
      img += ' alt="';
      img += escapeXml(alt);
      img += '"';
    }
    img += "/>";
    return img;
  };
  const escapeXml = function(s) {
    let escaped = "";
    for (let i = 0; i < s.length; i += 1) {
      const c = s.charAt(i);
      switch (c) {
        case "<":
          escaped += "&lt;";
          break;
        case ">":
          escaped += "&gt;";
          break;
        case "&":
          escaped += "&amp;";
          break;
        case '"':
          escaped += "&quot;";
          break;
        default:
          escaped += c;
          break;
      }
    }
    return escaped;
  };
  const _createHalfASCII = function(margin) {
    const cellSize = 1;
    margin = typeof margin == "undefined" ? cellSize * 2 : margin;
    const size = _this.getModuleCount() * cellSize + margin * 2;
    const min = margin;
    const max = size - margin;
    let y, x, r1, r2, p;
    const blocks = {
      "██": "█",
      "█ ": "▀",
      " █": "▄",
      "  ": " "
    };
    const blocksLastLineNoMargin = {
      "██": "▀",
      "█ ": "▀",
      " █": " ",
      "  ": " "
    };
    let ascii = "";
    for (y = 0; y < size; y += 2) {
      r1 = Math.floor((y - min) / cellSize);
      r2 = Math.floor((y + 1 - min) / cellSize);
      for (x = 0; x < size; x += 1) {
        p = "█";
        if (min <= x && x < max && min <= y && y < max && _this.isDark(r1, Math.floor((x - min) / cellSize))) {
          p = " ";
        }
        if (min <= x && x < max && min <= y + 1 && y + 1 < max && _this.isDark(r2, Math.floor((x - min) / cellSize))) {
          p += " ";
        } else {
          p += "█";
        }
        ascii += margin < 1 && y + 1 >= max ? blocksLastLineNoMargin[p] : blocks[p];
      }
      ascii += "\n";
    }
    if (size % 2 && margin > 0) {
      return ascii.substring(0, ascii.length - size - 1) + Array(size + 1).join("▀");
    }
    return ascii.substring(0, ascii.length - 1);
  };
  _this.createASCII = function(cellSize, margin) {
    cellSize = cellSize || 1;
    if (cellSize < 2) {
      return _createHalfASCII(margin);
    }
    cellSize -= 1;
    margin = typeof margin == "undefined" ? cellSize * 2 : margin;
    const size = _this.getModuleCount() * cellSize + margin * 2;
    const min = margin;
    const max = size - margin;
    let y, x, r, p;
    const white = Array(cellSize + 1).join("██");
    const black = Array(cellSize + 1).join("  ");
    let ascii = "";
    let line = "";
    for (y = 0; y < size; y += 1) {
      r = Math.floor((y - min) / cellSize);
      line = "";
      for (x = 0; x < size; x += 1) {
        p = 1;
        if (min <= x && x < max && min <= y && y < max && _this.isDark(r, Math.floor((x - min) / cellSize))) {
          p = 0;
        }
        line += p ? white : black;
      }
      for (r = 0; r < cellSize; r += 1) {
        ascii += line + "\n";
      }
    }
    return ascii.substring(0, ascii.length - 1);
  };
  _this.renderTo2dContext = function(context, cellSize) {
    cellSize = cellSize || 2;
    const length = _this.getModuleCount();
    for (let row2 = 0; row2 < length; row2++) {
      for (let col = 0; col < length; col++) {
        context.fillStyle = _this.isDark(row2, col) ? "black" : "white";
        context.fillRect(col * cellSize, row2 * cellSize, cellSize, cellSize);
      }
    }
  };
  return _this;
};
qrcode.stringToBytes = function(s) {
  const bytes2 = [];
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    bytes2.push(c & 255);
  }
  return bytes2;
};
qrcode.createStringToBytes = function(unicodeData, numChars) {
  const unicodeMap = (function() {
    const bin = base64DecodeInputStream(unicodeData);
    const read = function() {
      const b = bin.read();
      if (b == -1) throw "eof";
      return b;
    };
    let count = 0;
    const unicodeMap2 = {};
    while (true) {
      const b0 = bin.read();
      if (b0 == -1) break;
      const b1 = read();
      const b2 = read();
      const b3 = read();
      const k = String.fromCharCode(b0 << 8 | b1);
      const v = b2 << 8 | b3;
      unicodeMap2[k] = v;
      count += 1;
    }
    if (count != numChars) {
      throw count + " != " + numChars;
    }
    return unicodeMap2;
  })();
  const unknownChar = "?".charCodeAt(0);
  return function(s) {
    const bytes2 = [];
    for (let i = 0; i < s.length; i += 1) {
      const c = s.charCodeAt(i);
      if (c < 128) {
        bytes2.push(c);
      } else {
        const b = unicodeMap[s.charAt(i)];
        if (typeof b == "number") {
          if ((b & 255) == b) {
            bytes2.push(b);
          } else {
            bytes2.push(b >>> 8);
            bytes2.push(b & 255);
          }
        } else {
          bytes2.push(unknownChar);
        }
      }
    }
    return bytes2;
  };
};
var QRMode = {
  MODE_NUMBER: 1 << 0,
  MODE_ALPHA_NUM: 1 << 1,
  MODE_8BIT_BYTE: 1 << 2,
  MODE_KANJI: 1 << 3
};
var QRErrorCorrectionLevel = {
  L: 1,
  M: 0,
  Q: 3,
  H: 2
};
var QRMaskPattern = {
  PATTERN000: 0,
  PATTERN001: 1,
  PATTERN010: 2,
  PATTERN011: 3,
  PATTERN100: 4,
  PATTERN101: 5,
  PATTERN110: 6,
  PATTERN111: 7
};
var QRUtil = (function() {
  const PATTERN_POSITION_TABLE = [
    [],
    [6, 18],
    [6, 22],
    [6, 26],
    [6, 30],
    [6, 34],
    [6, 22, 38],
    [6, 24, 42],
    [6, 26, 46],
    [6, 28, 50],
    [6, 30, 54],
    [6, 32, 58],
    [6, 34, 62],
    [6, 26, 46, 66],
    [6, 26, 48, 70],
    [6, 26, 50, 74],
    [6, 30, 54, 78],
    [6, 30, 56, 82],
    [6, 30, 58, 86],
    [6, 34, 62, 90],
    [6, 28, 50, 72, 94],
    [6, 26, 50, 74, 98],
    [6, 30, 54, 78, 102],
    [6, 28, 54, 80, 106],
    [6, 32, 58, 84, 110],
    [6, 30, 58, 86, 114],
    [6, 34, 62, 90, 118],
    [6, 26, 50, 74, 98, 122],
    [6, 30, 54, 78, 102, 126],
    [6, 26, 52, 78, 104, 130],
    [6, 30, 56, 82, 108, 134],
    [6, 34, 60, 86, 112, 138],
    [6, 30, 58, 86, 114, 142],
    [6, 34, 62, 90, 118, 146],
    [6, 30, 54, 78, 102, 126, 150],
    [6, 24, 50, 76, 102, 128, 154],
    [6, 28, 54, 80, 106, 132, 158],
    [6, 32, 58, 84, 110, 136, 162],
    [6, 26, 54, 82, 110, 138, 166],
    [6, 30, 58, 86, 114, 142, 170]
  ];
  const G15 = 1 << 10 | 1 << 8 | 1 << 5 | 1 << 4 | 1 << 2 | 1 << 1 | 1 << 0;
  const G18 = 1 << 12 | 1 << 11 | 1 << 10 | 1 << 9 | 1 << 8 | 1 << 5 | 1 << 2 | 1 << 0;
  const G15_MASK = 1 << 14 | 1 << 12 | 1 << 10 | 1 << 4 | 1 << 1;
  const _this = {};
  const getBCHDigit = function(data) {
    let digit = 0;
    while (data != 0) {
      digit += 1;
      data >>>= 1;
    }
    return digit;
  };
  _this.getBCHTypeInfo = function(data) {
    let d = data << 10;
    while (getBCHDigit(d) - getBCHDigit(G15) >= 0) {
      d ^= G15 << getBCHDigit(d) - getBCHDigit(G15);
    }
    return (data << 10 | d) ^ G15_MASK;
  };
  _this.getBCHTypeNumber = function(data) {
    let d = data << 12;
    while (getBCHDigit(d) - getBCHDigit(G18) >= 0) {
      d ^= G18 << getBCHDigit(d) - getBCHDigit(G18);
    }
    return data << 12 | d;
  };
  _this.getPatternPosition = function(typeNumber) {
    return PATTERN_POSITION_TABLE[typeNumber - 1];
  };
  _this.getMaskFunction = function(maskPattern) {
    switch (maskPattern) {
      case QRMaskPattern.PATTERN000:
        return function(i, j) {
          return (i + j) % 2 == 0;
        };
      case QRMaskPattern.PATTERN001:
        return function(i, j) {
          return i % 2 == 0;
        };
      case QRMaskPattern.PATTERN010:
        return function(i, j) {
          return j % 3 == 0;
        };
      case QRMaskPattern.PATTERN011:
        return function(i, j) {
          return (i + j) % 3 == 0;
        };
      case QRMaskPattern.PATTERN100:
        return function(i, j) {
          return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 == 0;
        };
      case QRMaskPattern.PATTERN101:
        return function(i, j) {
          return i * j % 2 + i * j % 3 == 0;
        };
      case QRMaskPattern.PATTERN110:
        return function(i, j) {
          return (i * j % 2 + i * j % 3) % 2 == 0;
        };
      case QRMaskPattern.PATTERN111:
        return function(i, j) {
          return (i * j % 3 + (i + j) % 2) % 2 == 0;
        };
      default:
        throw "bad maskPattern:" + maskPattern;
    }
  };
  _this.getErrorCorrectPolynomial = function(errorCorrectLength) {
    let a = qrPolynomial([1], 0);
    for (let i = 0; i < errorCorrectLength; i += 1) {
      a = a.multiply(qrPolynomial([1, QRMath.gexp(i)], 0));
    }
    return a;
  };
  _this.getLengthInBits = function(mode, type) {
    if (1 <= type && type < 10) {
      switch (mode) {
        case QRMode.MODE_NUMBER:
          return 10;
        case QRMode.MODE_ALPHA_NUM:
          return 9;
        case QRMode.MODE_8BIT_BYTE:
          return 8;
        case QRMode.MODE_KANJI:
          return 8;
        default:
          throw "mode:" + mode;
      }
    } else if (type < 27) {
      switch (mode) {
        case QRMode.MODE_NUMBER:
          return 12;
        case QRMode.MODE_ALPHA_NUM:
          return 11;
        case QRMode.MODE_8BIT_BYTE:
          return 16;
        case QRMode.MODE_KANJI:
          return 10;
        default:
          throw "mode:" + mode;
      }
    } else if (type < 41) {
      switch (mode) {
        case QRMode.MODE_NUMBER:
          return 14;
        case QRMode.MODE_ALPHA_NUM:
          return 13;
        case QRMode.MODE_8BIT_BYTE:
          return 16;
        case QRMode.MODE_KANJI:
          return 12;
        default:
          throw "mode:" + mode;
      }
    } else {
      throw "type:" + type;
    }
  };
  _this.getLostPoint = function(qrcode2) {
    const moduleCount = qrcode2.getModuleCount();
    let lostPoint = 0;
    for (let row2 = 0; row2 < moduleCount; row2 += 1) {
      for (let col = 0; col < moduleCount; col += 1) {
        let sameCount = 0;
        const dark = qrcode2.isDark(row2, col);
        for (let r = -1; r <= 1; r += 1) {
          if (row2 + r < 0 || moduleCount <= row2 + r) {
            continue;
          }
          for (let c = -1; c <= 1; c += 1) {
            if (col + c < 0 || moduleCount <= col + c) {
              continue;
            }
            if (r == 0 && c == 0) {
              continue;
            }
            if (dark == qrcode2.isDark(row2 + r, col + c)) {
              sameCount += 1;
            }
          }
        }
        if (sameCount > 5) {
          lostPoint += 3 + sameCount - 5;
        }
      }
    }
    ;
    for (let row2 = 0; row2 < moduleCount - 1; row2 += 1) {
      for (let col = 0; col < moduleCount - 1; col += 1) {
        let count = 0;
        if (qrcode2.isDark(row2, col)) count += 1;
        if (qrcode2.isDark(row2 + 1, col)) count += 1;
        if (qrcode2.isDark(row2, col + 1)) count += 1;
        if (qrcode2.isDark(row2 + 1, col + 1)) count += 1;
        if (count == 0 || count == 4) {
          lostPoint += 3;
        }
      }
    }
    for (let row2 = 0; row2 < moduleCount; row2 += 1) {
      for (let col = 0; col < moduleCount - 6; col += 1) {
        if (qrcode2.isDark(row2, col) && !qrcode2.isDark(row2, col + 1) && qrcode2.isDark(row2, col + 2) && qrcode2.isDark(row2, col + 3) && qrcode2.isDark(row2, col + 4) && !qrcode2.isDark(row2, col + 5) && qrcode2.isDark(row2, col + 6)) {
          lostPoint += 40;
        }
      }
    }
    for (let col = 0; col < moduleCount; col += 1) {
      for (let row2 = 0; row2 < moduleCount - 6; row2 += 1) {
        if (qrcode2.isDark(row2, col) && !qrcode2.isDark(row2 + 1, col) && qrcode2.isDark(row2 + 2, col) && qrcode2.isDark(row2 + 3, col) && qrcode2.isDark(row2 + 4, col) && !qrcode2.isDark(row2 + 5, col) && qrcode2.isDark(row2 + 6, col)) {
          lostPoint += 40;
        }
      }
    }
    let darkCount = 0;
    for (let col = 0; col < moduleCount; col += 1) {
      for (let row2 = 0; row2 < moduleCount; row2 += 1) {
        if (qrcode2.isDark(row2, col)) {
          darkCount += 1;
        }
      }
    }
    const ratio = Math.abs(100 * darkCount / moduleCount / moduleCount - 50) / 5;
    lostPoint += ratio * 10;
    return lostPoint;
  };
  return _this;
})();
var QRMath = (function() {
  const EXP_TABLE = new Array(256);
  const LOG_TABLE = new Array(256);
  for (let i = 0; i < 8; i += 1) {
    EXP_TABLE[i] = 1 << i;
  }
  for (let i = 8; i < 256; i += 1) {
    EXP_TABLE[i] = EXP_TABLE[i - 4] ^ EXP_TABLE[i - 5] ^ EXP_TABLE[i - 6] ^ EXP_TABLE[i - 8];
  }
  for (let i = 0; i < 255; i += 1) {
    LOG_TABLE[EXP_TABLE[i]] = i;
  }
  const _this = {};
  _this.glog = function(n) {
    if (n < 1) {
      throw "glog(" + n + ")";
    }
    return LOG_TABLE[n];
  };
  _this.gexp = function(n) {
    while (n < 0) {
      n += 255;
    }
    while (n >= 256) {
      n -= 255;
    }
    return EXP_TABLE[n];
  };
  return _this;
})();
var qrPolynomial = function(num, shift) {
  if (typeof num.length == "undefined") {
    throw num.length + "/" + shift;
  }
  const _num = (function() {
    let offset = 0;
    while (offset < num.length && num[offset] == 0) {
      offset += 1;
    }
    const _num2 = new Array(num.length - offset + shift);
    for (let i = 0; i < num.length - offset; i += 1) {
      _num2[i] = num[i + offset];
    }
    return _num2;
  })();
  const _this = {};
  _this.getAt = function(index) {
    return _num[index];
  };
  _this.getLength = function() {
    return _num.length;
  };
  _this.multiply = function(e) {
    const num2 = new Array(_this.getLength() + e.getLength() - 1);
    for (let i = 0; i < _this.getLength(); i += 1) {
      for (let j = 0; j < e.getLength(); j += 1) {
        num2[i + j] ^= QRMath.gexp(QRMath.glog(_this.getAt(i)) + QRMath.glog(e.getAt(j)));
      }
    }
    return qrPolynomial(num2, 0);
  };
  _this.mod = function(e) {
    if (_this.getLength() - e.getLength() < 0) {
      return _this;
    }
    const ratio = QRMath.glog(_this.getAt(0)) - QRMath.glog(e.getAt(0));
    const num2 = new Array(_this.getLength());
    for (let i = 0; i < _this.getLength(); i += 1) {
      num2[i] = _this.getAt(i);
    }
    for (let i = 0; i < e.getLength(); i += 1) {
      num2[i] ^= QRMath.gexp(QRMath.glog(e.getAt(i)) + ratio);
    }
    return qrPolynomial(num2, 0).mod(e);
  };
  return _this;
};
var QRRSBlock = (function() {
  const RS_BLOCK_TABLE = [
    // L
    // M
    // Q
    // H
    // 1
    [1, 26, 19],
    [1, 26, 16],
    [1, 26, 13],
    [1, 26, 9],
    // 2
    [1, 44, 34],
    [1, 44, 28],
    [1, 44, 22],
    [1, 44, 16],
    // 3
    [1, 70, 55],
    [1, 70, 44],
    [2, 35, 17],
    [2, 35, 13],
    // 4
    [1, 100, 80],
    [2, 50, 32],
    [2, 50, 24],
    [4, 25, 9],
    // 5
    [1, 134, 108],
    [2, 67, 43],
    [2, 33, 15, 2, 34, 16],
    [2, 33, 11, 2, 34, 12],
    // 6
    [2, 86, 68],
    [4, 43, 27],
    [4, 43, 19],
    [4, 43, 15],
    // 7
    [2, 98, 78],
    [4, 49, 31],
    [2, 32, 14, 4, 33, 15],
    [4, 39, 13, 1, 40, 14],
    // 8
    [2, 121, 97],
    [2, 60, 38, 2, 61, 39],
    [4, 40, 18, 2, 41, 19],
    [4, 40, 14, 2, 41, 15],
    // 9
    [2, 146, 116],
    [3, 58, 36, 2, 59, 37],
    [4, 36, 16, 4, 37, 17],
    [4, 36, 12, 4, 37, 13],
    // 10
    [2, 86, 68, 2, 87, 69],
    [4, 69, 43, 1, 70, 44],
    [6, 43, 19, 2, 44, 20],
    [6, 43, 15, 2, 44, 16],
    // 11
    [4, 101, 81],
    [1, 80, 50, 4, 81, 51],
    [4, 50, 22, 4, 51, 23],
    [3, 36, 12, 8, 37, 13],
    // 12
    [2, 116, 92, 2, 117, 93],
    [6, 58, 36, 2, 59, 37],
    [4, 46, 20, 6, 47, 21],
    [7, 42, 14, 4, 43, 15],
    // 13
    [4, 133, 107],
    [8, 59, 37, 1, 60, 38],
    [8, 44, 20, 4, 45, 21],
    [12, 33, 11, 4, 34, 12],
    // 14
    [3, 145, 115, 1, 146, 116],
    [4, 64, 40, 5, 65, 41],
    [11, 36, 16, 5, 37, 17],
    [11, 36, 12, 5, 37, 13],
    // 15
    [5, 109, 87, 1, 110, 88],
    [5, 65, 41, 5, 66, 42],
    [5, 54, 24, 7, 55, 25],
    [11, 36, 12, 7, 37, 13],
    // 16
    [5, 122, 98, 1, 123, 99],
    [7, 73, 45, 3, 74, 46],
    [15, 43, 19, 2, 44, 20],
    [3, 45, 15, 13, 46, 16],
    // 17
    [1, 135, 107, 5, 136, 108],
    [10, 74, 46, 1, 75, 47],
    [1, 50, 22, 15, 51, 23],
    [2, 42, 14, 17, 43, 15],
    // 18
    [5, 150, 120, 1, 151, 121],
    [9, 69, 43, 4, 70, 44],
    [17, 50, 22, 1, 51, 23],
    [2, 42, 14, 19, 43, 15],
    // 19
    [3, 141, 113, 4, 142, 114],
    [3, 70, 44, 11, 71, 45],
    [17, 47, 21, 4, 48, 22],
    [9, 39, 13, 16, 40, 14],
    // 20
    [3, 135, 107, 5, 136, 108],
    [3, 67, 41, 13, 68, 42],
    [15, 54, 24, 5, 55, 25],
    [15, 43, 15, 10, 44, 16],
    // 21
    [4, 144, 116, 4, 145, 117],
    [17, 68, 42],
    [17, 50, 22, 6, 51, 23],
    [19, 46, 16, 6, 47, 17],
    // 22
    [2, 139, 111, 7, 140, 112],
    [17, 74, 46],
    [7, 54, 24, 16, 55, 25],
    [34, 37, 13],
    // 23
    [4, 151, 121, 5, 152, 122],
    [4, 75, 47, 14, 76, 48],
    [11, 54, 24, 14, 55, 25],
    [16, 45, 15, 14, 46, 16],
    // 24
    [6, 147, 117, 4, 148, 118],
    [6, 73, 45, 14, 74, 46],
    [11, 54, 24, 16, 55, 25],
    [30, 46, 16, 2, 47, 17],
    // 25
    [8, 132, 106, 4, 133, 107],
    [8, 75, 47, 13, 76, 48],
    [7, 54, 24, 22, 55, 25],
    [22, 45, 15, 13, 46, 16],
    // 26
    [10, 142, 114, 2, 143, 115],
    [19, 74, 46, 4, 75, 47],
    [28, 50, 22, 6, 51, 23],
    [33, 46, 16, 4, 47, 17],
    // 27
    [8, 152, 122, 4, 153, 123],
    [22, 73, 45, 3, 74, 46],
    [8, 53, 23, 26, 54, 24],
    [12, 45, 15, 28, 46, 16],
    // 28
    [3, 147, 117, 10, 148, 118],
    [3, 73, 45, 23, 74, 46],
    [4, 54, 24, 31, 55, 25],
    [11, 45, 15, 31, 46, 16],
    // 29
    [7, 146, 116, 7, 147, 117],
    [21, 73, 45, 7, 74, 46],
    [1, 53, 23, 37, 54, 24],
    [19, 45, 15, 26, 46, 16],
    // 30
    [5, 145, 115, 10, 146, 116],
    [19, 75, 47, 10, 76, 48],
    [15, 54, 24, 25, 55, 25],
    [23, 45, 15, 25, 46, 16],
    // 31
    [13, 145, 115, 3, 146, 116],
    [2, 74, 46, 29, 75, 47],
    [42, 54, 24, 1, 55, 25],
    [23, 45, 15, 28, 46, 16],
    // 32
    [17, 145, 115],
    [10, 74, 46, 23, 75, 47],
    [10, 54, 24, 35, 55, 25],
    [19, 45, 15, 35, 46, 16],
    // 33
    [17, 145, 115, 1, 146, 116],
    [14, 74, 46, 21, 75, 47],
    [29, 54, 24, 19, 55, 25],
    [11, 45, 15, 46, 46, 16],
    // 34
    [13, 145, 115, 6, 146, 116],
    [14, 74, 46, 23, 75, 47],
    [44, 54, 24, 7, 55, 25],
    [59, 46, 16, 1, 47, 17],
    // 35
    [12, 151, 121, 7, 152, 122],
    [12, 75, 47, 26, 76, 48],
    [39, 54, 24, 14, 55, 25],
    [22, 45, 15, 41, 46, 16],
    // 36
    [6, 151, 121, 14, 152, 122],
    [6, 75, 47, 34, 76, 48],
    [46, 54, 24, 10, 55, 25],
    [2, 45, 15, 64, 46, 16],
    // 37
    [17, 152, 122, 4, 153, 123],
    [29, 74, 46, 14, 75, 47],
    [49, 54, 24, 10, 55, 25],
    [24, 45, 15, 46, 46, 16],
    // 38
    [4, 152, 122, 18, 153, 123],
    [13, 74, 46, 32, 75, 47],
    [48, 54, 24, 14, 55, 25],
    [42, 45, 15, 32, 46, 16],
    // 39
    [20, 147, 117, 4, 148, 118],
    [40, 75, 47, 7, 76, 48],
    [43, 54, 24, 22, 55, 25],
    [10, 45, 15, 67, 46, 16],
    // 40
    [19, 148, 118, 6, 149, 119],
    [18, 75, 47, 31, 76, 48],
    [34, 54, 24, 34, 55, 25],
    [20, 45, 15, 61, 46, 16]
  ];
  const qrRSBlock = function(totalCount, dataCount) {
    const _this2 = {};
    _this2.totalCount = totalCount;
    _this2.dataCount = dataCount;
    return _this2;
  };
  const _this = {};
  const getRsBlockTable = function(typeNumber, errorCorrectionLevel) {
    switch (errorCorrectionLevel) {
      case QRErrorCorrectionLevel.L:
        return RS_BLOCK_TABLE[(typeNumber - 1) * 4 + 0];
      case QRErrorCorrectionLevel.M:
        return RS_BLOCK_TABLE[(typeNumber - 1) * 4 + 1];
      case QRErrorCorrectionLevel.Q:
        return RS_BLOCK_TABLE[(typeNumber - 1) * 4 + 2];
      case QRErrorCorrectionLevel.H:
        return RS_BLOCK_TABLE[(typeNumber - 1) * 4 + 3];
      default:
        return void 0;
    }
  };
  _this.getRSBlocks = function(typeNumber, errorCorrectionLevel) {
    const rsBlock = getRsBlockTable(typeNumber, errorCorrectionLevel);
    if (typeof rsBlock == "undefined") {
      throw "bad rs block @ typeNumber:" + typeNumber + "/errorCorrectionLevel:" + errorCorrectionLevel;
    }
    const length = rsBlock.length / 3;
    const list = [];
    for (let i = 0; i < length; i += 1) {
      const count = rsBlock[i * 3 + 0];
      const totalCount = rsBlock[i * 3 + 1];
      const dataCount = rsBlock[i * 3 + 2];
      for (let j = 0; j < count; j += 1) {
        list.push(qrRSBlock(totalCount, dataCount));
      }
    }
    return list;
  };
  return _this;
})();
var qrBitBuffer = function() {
  const _buffer = [];
  let _length = 0;
  const _this = {};
  _this.getBuffer = function() {
    return _buffer;
  };
  _this.getAt = function(index) {
    const bufIndex = Math.floor(index / 8);
    return (_buffer[bufIndex] >>> 7 - index % 8 & 1) == 1;
  };
  _this.put = function(num, length) {
    for (let i = 0; i < length; i += 1) {
      _this.putBit((num >>> length - i - 1 & 1) == 1);
    }
  };
  _this.getLengthInBits = function() {
    return _length;
  };
  _this.putBit = function(bit) {
    const bufIndex = Math.floor(_length / 8);
    if (_buffer.length <= bufIndex) {
      _buffer.push(0);
    }
    if (bit) {
      _buffer[bufIndex] |= 128 >>> _length % 8;
    }
    _length += 1;
  };
  return _this;
};
var qrNumber = function(data) {
  const _mode = QRMode.MODE_NUMBER;
  const _data = data;
  const _this = {};
  _this.getMode = function() {
    return _mode;
  };
  _this.getLength = function(buffer) {
    return _data.length;
  };
  _this.write = function(buffer) {
    const data2 = _data;
    let i = 0;
    while (i + 2 < data2.length) {
      buffer.put(strToNum(data2.substring(i, i + 3)), 10);
      i += 3;
    }
    if (i < data2.length) {
      if (data2.length - i == 1) {
        buffer.put(strToNum(data2.substring(i, i + 1)), 4);
      } else if (data2.length - i == 2) {
        buffer.put(strToNum(data2.substring(i, i + 2)), 7);
      }
    }
  };
  const strToNum = function(s) {
    let num = 0;
    for (let i = 0; i < s.length; i += 1) {
      num = num * 10 + chatToNum(s.charAt(i));
    }
    return num;
  };
  const chatToNum = function(c) {
    if ("0" <= c && c <= "9") {
      return c.charCodeAt(0) - "0".charCodeAt(0);
    }
    throw "illegal char :" + c;
  };
  return _this;
};
var qrAlphaNum = function(data) {
  const _mode = QRMode.MODE_ALPHA_NUM;
  const _data = data;
  const _this = {};
  _this.getMode = function() {
    return _mode;
  };
  _this.getLength = function(buffer) {
    return _data.length;
  };
  _this.write = function(buffer) {
    const s = _data;
    let i = 0;
    while (i + 1 < s.length) {
      buffer.put(
        getCode(s.charAt(i)) * 45 + getCode(s.charAt(i + 1)),
        11
      );
      i += 2;
    }
    if (i < s.length) {
      buffer.put(getCode(s.charAt(i)), 6);
    }
  };
  const getCode = function(c) {
    if ("0" <= c && c <= "9") {
      return c.charCodeAt(0) - "0".charCodeAt(0);
    } else if ("A" <= c && c <= "Z") {
      return c.charCodeAt(0) - "A".charCodeAt(0) + 10;
    } else {
      switch (c) {
        case " ":
          return 36;
        case "$":
          return 37;
        case "%":
          return 38;
        case "*":
          return 39;
        case "+":
          return 40;
        case "-":
          return 41;
        case ".":
          return 42;
        case "/":
          return 43;
        case ":":
          return 44;
        default:
          throw "illegal char :" + c;
      }
    }
  };
  return _this;
};
var qr8BitByte = function(data) {
  const _mode = QRMode.MODE_8BIT_BYTE;
  const _data = data;
  const _bytes = qrcode.stringToBytes(data);
  const _this = {};
  _this.getMode = function() {
    return _mode;
  };
  _this.getLength = function(buffer) {
    return _bytes.length;
  };
  _this.write = function(buffer) {
    for (let i = 0; i < _bytes.length; i += 1) {
      buffer.put(_bytes[i], 8);
    }
  };
  return _this;
};
var qrKanji = function(data) {
  const _mode = QRMode.MODE_KANJI;
  const _data = data;
  const stringToBytes2 = qrcode.stringToBytes;
  !(function(c, code) {
    const test = stringToBytes2(c);
    if (test.length != 2 || (test[0] << 8 | test[1]) != code) {
      throw "sjis not supported.";
    }
  })("友", 38726);
  const _bytes = stringToBytes2(data);
  const _this = {};
  _this.getMode = function() {
    return _mode;
  };
  _this.getLength = function(buffer) {
    return ~~(_bytes.length / 2);
  };
  _this.write = function(buffer) {
    const data2 = _bytes;
    let i = 0;
    while (i + 1 < data2.length) {
      let c = (255 & data2[i]) << 8 | 255 & data2[i + 1];
      if (33088 <= c && c <= 40956) {
        c -= 33088;
      } else if (57408 <= c && c <= 60351) {
        c -= 49472;
      } else {
        throw "illegal char at " + (i + 1) + "/" + c;
      }
      c = (c >>> 8 & 255) * 192 + (c & 255);
      buffer.put(c, 13);
      i += 2;
    }
    if (i < data2.length) {
      throw "illegal char at " + (i + 1);
    }
  };
  return _this;
};
var byteArrayOutputStream = function() {
  const _bytes = [];
  const _this = {};
  _this.writeByte = function(b) {
    _bytes.push(b & 255);
  };
  _this.writeShort = function(i) {
    _this.writeByte(i);
    _this.writeByte(i >>> 8);
  };
  _this.writeBytes = function(b, off, len) {
    off = off || 0;
    len = len || b.length;
    for (let i = 0; i < len; i += 1) {
      _this.writeByte(b[i + off]);
    }
  };
  _this.writeString = function(s) {
    for (let i = 0; i < s.length; i += 1) {
      _this.writeByte(s.charCodeAt(i));
    }
  };
  _this.toByteArray = function() {
    return _bytes;
  };
  _this.toString = function() {
    let s = "";
    s += "[";
    for (let i = 0; i < _bytes.length; i += 1) {
      if (i > 0) {
        s += ",";
      }
      s += _bytes[i];
    }
    s += "]";
    return s;
  };
  return _this;
};
var base64EncodeOutputStream = function() {
  let _buffer = 0;
  let _buflen = 0;
  let _length = 0;
  let _base64 = "";
  const _this = {};
  const writeEncoded = function(b) {
    _base64 += String.fromCharCode(encode(b & 63));
  };
  const encode = function(n) {
    if (n < 0) {
      throw "n:" + n;
    } else if (n < 26) {
      return 65 + n;
    } else if (n < 52) {
      return 97 + (n - 26);
    } else if (n < 62) {
      return 48 + (n - 52);
    } else if (n == 62) {
      return 43;
    } else if (n == 63) {
      return 47;
    } else {
      throw "n:" + n;
    }
  };
  _this.writeByte = function(n) {
    _buffer = _buffer << 8 | n & 255;
    _buflen += 8;
    _length += 1;
    while (_buflen >= 6) {
      writeEncoded(_buffer >>> _buflen - 6);
      _buflen -= 6;
    }
  };
  _this.flush = function() {
    if (_buflen > 0) {
      writeEncoded(_buffer << 6 - _buflen);
      _buffer = 0;
      _buflen = 0;
    }
    if (_length % 3 != 0) {
      const padlen = 3 - _length % 3;
      for (let i = 0; i < padlen; i += 1) {
        _base64 += "=";
      }
    }
  };
  _this.toString = function() {
    return _base64;
  };
  return _this;
};
var base64DecodeInputStream = function(str) {
  const _str = str;
  let _pos = 0;
  let _buffer = 0;
  let _buflen = 0;
  const _this = {};
  _this.read = function() {
    while (_buflen < 8) {
      if (_pos >= _str.length) {
        if (_buflen == 0) {
          return -1;
        }
        throw "unexpected end of file./" + _buflen;
      }
      const c = _str.charAt(_pos);
      _pos += 1;
      if (c == "=") {
        _buflen = 0;
        return -1;
      } else if (c.match(/^\s$/)) {
        continue;
      }
      _buffer = _buffer << 6 | decode(c.charCodeAt(0));
      _buflen += 6;
    }
    const n = _buffer >>> _buflen - 8 & 255;
    _buflen -= 8;
    return n;
  };
  const decode = function(c) {
    if (65 <= c && c <= 90) {
      return c - 65;
    } else if (97 <= c && c <= 122) {
      return c - 97 + 26;
    } else if (48 <= c && c <= 57) {
      return c - 48 + 52;
    } else if (c == 43) {
      return 62;
    } else if (c == 47) {
      return 63;
    } else {
      throw "c:" + c;
    }
  };
  return _this;
};
var gifImage = function(width, height) {
  const _width = width;
  const _height = height;
  const _data = new Array(width * height);
  const _this = {};
  _this.setPixel = function(x, y, pixel) {
    _data[y * _width + x] = pixel;
  };
  _this.write = function(out) {
    out.writeString("GIF87a");
    out.writeShort(_width);
    out.writeShort(_height);
    out.writeByte(128);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(255);
    out.writeByte(255);
    out.writeByte(255);
    out.writeString(",");
    out.writeShort(0);
    out.writeShort(0);
    out.writeShort(_width);
    out.writeShort(_height);
    out.writeByte(0);
    const lzwMinCodeSize = 2;
    const raster = getLZWRaster(lzwMinCodeSize);
    out.writeByte(lzwMinCodeSize);
    let offset = 0;
    while (raster.length - offset > 255) {
      out.writeByte(255);
      out.writeBytes(raster, offset, 255);
      offset += 255;
    }
    out.writeByte(raster.length - offset);
    out.writeBytes(raster, offset, raster.length - offset);
    out.writeByte(0);
    out.writeString(";");
  };
  const bitOutputStream = function(out) {
    const _out = out;
    let _bitLength = 0;
    let _bitBuffer = 0;
    const _this2 = {};
    _this2.write = function(data, length) {
      if (data >>> length != 0) {
        throw "length over";
      }
      while (_bitLength + length >= 8) {
        _out.writeByte(255 & (data << _bitLength | _bitBuffer));
        length -= 8 - _bitLength;
        data >>>= 8 - _bitLength;
        _bitBuffer = 0;
        _bitLength = 0;
      }
      _bitBuffer = data << _bitLength | _bitBuffer;
      _bitLength = _bitLength + length;
    };
    _this2.flush = function() {
      if (_bitLength > 0) {
        _out.writeByte(_bitBuffer);
      }
    };
    return _this2;
  };
  const getLZWRaster = function(lzwMinCodeSize) {
    const clearCode = 1 << lzwMinCodeSize;
    const endCode = (1 << lzwMinCodeSize) + 1;
    let bitLength = lzwMinCodeSize + 1;
    const table2 = lzwTable();
    for (let i = 0; i < clearCode; i += 1) {
      table2.add(String.fromCharCode(i));
    }
    table2.add(String.fromCharCode(clearCode));
    table2.add(String.fromCharCode(endCode));
    const byteOut = byteArrayOutputStream();
    const bitOut = bitOutputStream(byteOut);
    bitOut.write(clearCode, bitLength);
    let dataIndex = 0;
    let s = String.fromCharCode(_data[dataIndex]);
    dataIndex += 1;
    while (dataIndex < _data.length) {
      const c = String.fromCharCode(_data[dataIndex]);
      dataIndex += 1;
      if (table2.contains(s + c)) {
        s = s + c;
      } else {
        bitOut.write(table2.indexOf(s), bitLength);
        if (table2.size() < 4095) {
          if (table2.size() == 1 << bitLength) {
            bitLength += 1;
          }
          table2.add(s + c);
        }
        s = c;
      }
    }
    bitOut.write(table2.indexOf(s), bitLength);
    bitOut.write(endCode, bitLength);
    bitOut.flush();
    return byteOut.toByteArray();
  };
  const lzwTable = function() {
    const _map = {};
    let _size = 0;
    const _this2 = {};
    _this2.add = function(key) {
      if (_this2.contains(key)) {
        throw "dup key:" + key;
      }
      _map[key] = _size;
      _size += 1;
    };
    _this2.size = function() {
      return _size;
    };
    _this2.indexOf = function(key) {
      return _map[key];
    };
    _this2.contains = function(key) {
      return typeof _map[key] != "undefined";
    };
    return _this2;
  };
  return _this;
};
var createDataURL = function(width, height, getPixel) {
  const gif = gifImage(width, height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      gif.setPixel(x, y, getPixel(x, y));
    }
  }
  const b = byteArrayOutputStream();
  gif.write(b);
  const base64 = base64EncodeOutputStream();
  const bytes2 = b.toByteArray();
  for (let i = 0; i < bytes2.length; i += 1) {
    base64.writeByte(bytes2[i]);
  }
  base64.flush();
  return "data:image/gif;base64," + base64;
};
var qrcode_default = qrcode;
var stringToBytes = qrcode.stringToBytes;

// panopticon/web/src/qr.ts
function qrImage(text) {
  const code = qrcode_default(0, "M");
  code.addData(text);
  code.make();
  const cell = 4;
  const margin = 4 * cell;
  const size = code.getModuleCount() * cell + 2 * margin;
  return h("img", { src: code.createDataURL(cell, margin), alt: "QR code of the link below", width: size, height: size, id: "totp-qr" });
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
    h("p", {}, "Step 2 of 3: in the app (1Password, Google Authenticator, Aegis…), scan this code, or open the link, or type the secret in by hand."),
    h("p", { class: "qr" }, qrImage(uri)),
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
    const actions3 = h("div", { class: "row-actions" });
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
      actions3.append(role, disable);
    }
    return [admin.email, admin.role, admin.disabled_at ? "disabled" : admin.enrolment_state, when(admin.enrolled_at), actions3];
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

// panopticon/web/src/pages/audit_entries.ts
function idLink(id) {
  if (!id) return "—";
  if (id.startsWith("usr_")) return link(`#/users/${encodeURIComponent(id)}`, id);
  if (id.startsWith("org_")) return link(`#/orgs/${encodeURIComponent(id)}`, id);
  return h("code", {}, id);
}
function actor(entry) {
  if (entry.actor_admin_id && entry.acting_as_user_id) {
    return h("span", {}, h("code", {}, entry.actor_admin_id), " as ", idLink(entry.acting_as_user_id));
  }
  if (entry.actor_admin_id) return h("code", {}, entry.actor_admin_id);
  if (entry.actor_user_id) return idLink(entry.actor_user_id);
  return "system";
}
function change(entry) {
  const lines = [];
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  for (const key of /* @__PURE__ */ new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = key in before ? JSON.stringify(before[key]) : void 0;
    const now = key in after ? JSON.stringify(after[key]) : void 0;
    if (was !== void 0 && now !== void 0) lines.push(`${key}: ${was} → ${now}`);
    else if (now !== void 0) lines.push(`${key}: ${now}`);
    else lines.push(`${key}: ${was} (removed)`);
  }
  return lines.length ? h("pre", { class: "summary" }, lines.join("\n")) : "—";
}
function auditTable(entries) {
  return table(
    ["When", "Who", "Action", "Target", "Reason", "Change"],
    entries.map((entry) => [when(entry.at), actor(entry), h("code", { class: "action" }, entry.action), idLink(entry.target), entry.reason ?? "—", change(entry)]),
    "No audit entries."
  );
}

// panopticon/web/src/pages/audit.ts
var FILTERS = ["actor", "target", "action", "since", "until"];
var PAGE_SIZE = 50;
function toIso(local) {
  return local ? new Date(local).toISOString() : "";
}
function toLocal(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
async function auditPage(page) {
  const q = page.query;
  const submit = h("button", { type: "submit", class: "primary", name: "filter" }, "Filter");
  const clear = h("a", { href: "#/audit", class: "button" }, "Clear");
  const form = h(
    "form",
    { class: "inline", id: "audit-filters" },
    field("Actor (adm_… or usr_…)", "actor", { value: q.get("actor") ?? "", autocomplete: "off" }),
    field("Target", "target", { value: q.get("target") ?? "", autocomplete: "off" }),
    field("Action", "action", { value: q.get("action") ?? "", autocomplete: "off", placeholder: "users.disable" }),
    field("Since", "since", { type: "datetime-local", value: toLocal(q.get("since")) }),
    field("Until", "until", { type: "datetime-local", value: toLocal(q.get("until")) }),
    submit,
    clear
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const raw = input(form, name).trim();
      const value = name === "since" || name === "until" ? toIso(raw) : raw;
      if (value) params.set(name, value);
    }
    go(`/audit?${params.toString()}`);
  });
  const filters = {};
  for (const name of FILTERS) {
    const value = q.get(name);
    if (value) filters[name] = value;
  }
  const errors = errorBox();
  const more = h("button", { type: "button", name: "more", hidden: true }, "Older entries");
  const entries = [];
  const body = h("div", { id: "audit-results" });
  let cursor = null;
  const load = async () => {
    const found = await client.audit.list({ ...filters, limit: PAGE_SIZE, ...cursor ? { cursor } : {} });
    entries.push(...found.entries);
    cursor = found.next_cursor;
    body.replaceChildren(auditTable(entries));
    more.hidden = cursor === null;
  };
  more.addEventListener("click", () => void busy(more, errors, load));
  await load();
  return h("section", {}, h("h1", {}, "Audit log"), form, body, errors, h("div", { class: "actions" }, more));
}

// panopticon/web/src/pages/org.ts
var REASON = { name: "reason", label: "Reason (recorded in the audit log)", required: true };
function button(name, label, onClick, danger = false) {
  const element = h("button", { type: "button", name, class: danger ? "danger" : "" }, label);
  element.addEventListener("click", onClick);
  return element;
}
async function orgPage(page) {
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
      h("div", { class: "card" }, h("h2", {}, "Actions"), actions(page, data))
    ),
    h("h2", {}, "Members"),
    members(page, data),
    h("h2", {}, "Pending invitations"),
    invites(page, data),
    h("h2", {}, "Recent audit entries"),
    auditTable(data.audit)
  );
}
function actions(page, data) {
  const org = data.org;
  const list = h("div", { class: "actions" });
  if (may(page.me, "orgs.ownership.transfer")) {
    const candidates = data.members.filter((m) => m.role !== "owner" && !m.disabled);
    const transfer = button(
      "transfer",
      "Transfer ownership",
      () => void dialog({
        title: `Transfer ownership of ${org.name}`,
        text: "The member chosen becomes the owner; every other owner becomes an admin.",
        fields: [{ name: "user_id", label: "New owner", type: "select", options: candidates.map((m) => ({ value: m.user_id, label: `${m.email} (${m.role})` })) }, REASON],
        confirm: "Transfer",
        run: async (values) => {
          const out = await client.orgs.ownership.transfer({ org_id: org.id, user_id: values.user_id ?? "", reason: values.reason ?? "" });
          notify(`${candidates.find((m) => m.user_id === out.owner)?.email ?? out.owner} now owns ${org.name}.`);
          page.refresh();
        }
      })
    );
    transfer.disabled = candidates.length === 0;
    list.append(transfer);
  }
  if (may(page.me, "orgs.delete")) {
    list.append(
      button(
        "delete-org",
        "Delete organization",
        () => void dialog({
          title: `Delete ${org.name}?`,
          text: "This deletes the organization and everything in it, for good. Type its name to confirm.",
          fields: [{ name: "confirm_name", label: `Type “${org.name}”`, required: true, mustEqual: org.name }, REASON],
          confirm: "Delete for good",
          danger: true,
          run: async (values) => {
            await client.orgs.delete({ org_id: org.id, confirm_name: values.confirm_name ?? "", reason: values.reason ?? "" });
            notify(`${org.name} is deleted.`, { acrossNavigation: true });
            go("/search?kind=orgs");
          }
        }),
        true
      )
    );
  }
  if (list.childElementCount === 0) return h("p", { class: "hint" }, `Your role (${page.me.role}) may only look.`);
  return list;
}
function members(page, data) {
  const remove = may(page.me, "orgs.members.remove");
  return table(
    ["Member", "Name", "Role", "Joined", ""],
    data.members.map((member) => [
      h("span", {}, link(`#/users/${encodeURIComponent(member.user_id)}`, member.email), member.disabled ? h("span", { class: "badge bad" }, " disabled") : null),
      member.display_name || "—",
      member.role,
      when(member.joined_at),
      remove ? button(
        "remove-member",
        "Remove",
        () => void dialog({
          title: `Remove ${member.email} from ${data.org.name}?`,
          fields: [REASON],
          confirm: "Remove",
          danger: true,
          run: async (values) => {
            await client.orgs.members.remove({ org_id: data.org.id, user_id: member.user_id, reason: values.reason ?? "" });
            notify(`${member.email} is no longer a member of ${data.org.name}.`);
            page.refresh();
          }
        }),
        true
      ) : null
    ]),
    "No members."
  );
}
function invites(page, data) {
  const cancel = may(page.me, "orgs.invites.cancel");
  return table(
    ["Email", "Role", "Invited by", "Sent", "Expires", ""],
    data.invites.map((invite) => [
      invite.email,
      invite.role,
      invite.invited_by ? link(`#/users/${encodeURIComponent(invite.invited_by)}`, invite.invited_by) : "—",
      when(invite.created_at),
      when(invite.expires_at),
      cancel ? button(
        "cancel-invite",
        "Cancel",
        () => void dialog({
          title: `Cancel the invitation of ${invite.email}?`,
          fields: [REASON],
          confirm: "Cancel invitation",
          danger: true,
          run: async (values) => {
            await client.orgs.invites.cancel({ org_id: data.org.id, invite_id: invite.id, reason: values.reason ?? "" });
            notify(`The invitation of ${invite.email} is cancelled.`);
            page.refresh();
          }
        })
      ) : null
    ]),
    "No pending invitations."
  );
}

// panopticon/web/src/pages/search.ts
var PAGE_SIZE2 = 25;
async function searchPage(page) {
  const kind = page.query.get("kind") === "orgs" ? "orgs" : "users";
  const query = page.query.get("q") ?? "";
  const box = h("input", { name: "q", id: "f-q", type: "search", value: query, placeholder: kind === "users" ? "Email, name or usr_… id" : "Name or org_… id", autofocus: true, autocomplete: "off" });
  const choice = (value, label) => h("label", { class: "check" }, h("input", { type: "radio", name: "kind", value, checked: kind === value }), h("span", {}, label));
  const submit = h("button", { type: "submit", class: "primary", name: "search" }, "Search");
  const form = h("form", { class: "inline", id: "search" }, h("label", {}, h("span", {}, "Search"), box), choice("users", "Users"), choice("orgs", "Organizations"), submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="kind"]:checked')?.value ?? "users";
    go(`/search?kind=${chosen}&q=${encodeURIComponent(box.value.trim())}`);
  });
  const results = h("div", { id: "results" });
  const section = h("section", {}, h("h1", {}, "Search"), form, results);
  if (query) await showResults(results, kind, query);
  return section;
}
async function showResults(results, kind, query) {
  const errors = errorBox();
  const more = h("button", { type: "button", name: "more", hidden: true }, "More results");
  const rows = [];
  const body = h("div", {});
  let cursor = null;
  const load = async () => {
    if (kind === "users") {
      const found = await client.search.users({ query, limit: PAGE_SIZE2, ...cursor ? { cursor } : {} });
      rows.push(...found.users.map(userRow));
      cursor = found.next_cursor;
      body.replaceChildren(table(["Email", "Name", "State", "Created", "Id"], rows, `No user matches “${query}”.`));
    } else {
      const found = await client.search.orgs({ query, limit: PAGE_SIZE2, ...cursor ? { cursor } : {} });
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
function userRow(user) {
  return [
    link(`#/users/${encodeURIComponent(user.id)}`, user.email),
    document.createTextNode(user.display_name),
    h("span", {}, user.disabled ? h("span", { class: "badge bad" }, "disabled") : null, " ", user.verified ? h("span", { class: "badge good" }, "verified") : h("span", { class: "badge" }, "unverified")),
    h("span", {}, when(user.created_at)),
    h("code", {}, user.id)
  ];
}
function orgRow(org) {
  return [link(`#/orgs/${encodeURIComponent(org.id)}`, org.name), document.createTextNode(String(org.members)), h("span", {}, when(org.created_at)), h("code", {}, org.id)];
}

// panopticon/web/src/pages/system.ts
function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
async function systemPage(_page) {
  const status = await client.system.status();
  return h(
    "section",
    { id: "system-page" },
    h("h1", {}, "System"),
    h(
      "div",
      { class: "card" },
      h(
        "dl",
        {},
        h("dt", {}, "App version"),
        h("dd", { id: "app-version" }, status.app_version),
        h("dt", {}, "Environment"),
        h("dd", {}, status.environment),
        h("dt", {}, "Schema version"),
        h("dd", { id: "schema-version" }, status.schema_version ?? "not migrated"),
        h("dt", {}, "Database size"),
        h("dd", {}, bytes(status.database_size_bytes)),
        h("dt", {}, "Connections"),
        h("dd", {}, `${status.connections.total} of ${status.connections.max}`)
      )
    ),
    h("h2", {}, "Connections by role"),
    table(["Role", "Connections"], status.connections.by_role.map((r) => [r.role, String(r.connections)]))
  );
}

// panopticon/web/src/pages/impersonation.ts
var fresh = /* @__PURE__ */ new Map();
function impersonateButton(page, user) {
  if (!may(page.me, "impersonation.start") || user.disabled) return null;
  const writes = allows(page.me, "operator");
  const button3 = h("button", { type: "button", name: "impersonate" }, "Impersonate…");
  button3.addEventListener(
    "click",
    () => void dialog({
      title: `Impersonate ${user.email}`,
      text: "You will see the product as they do. Everything done under the impersonation is recorded as yours.",
      fields: [
        { name: "reason", label: "Reason (recorded in the audit log)", required: true },
        { name: "minutes", label: "Duration in minutes (at most 60)", type: "number", value: "15", min: 1, max: 60, required: true },
        ...writes ? [{ name: "writes", label: "Allow changes (otherwise read-only)", type: "checkbox" }] : []
      ],
      confirm: "Start impersonation",
      run: async (values) => {
        const started = await client.impersonation.start({
          user_id: user.id,
          reason: values.reason ?? "",
          minutes: Number(values.minutes),
          writes: values.writes === "on"
        });
        fresh.set(user.id, started);
        notify(`Impersonating ${user.email} (${started.read_only ? "read-only" : "with writes"}) until ${new Date(started.expires_at).toLocaleTimeString()}.`);
        page.refresh();
      }
    })
  );
  return button3;
}
function impersonations(page, user, open) {
  const mine = open.filter((i) => i.user_id === user.id);
  const started = fresh.get(user.id);
  const code = started && mine.some((i) => i.id === started.impersonation_id && !i.redeemed) ? h(
    "div",
    { class: "card", id: "impersonation-code" },
    h("p", {}, "One-time code for the product (valid once, until ", when(started.code_expires_at), "):"),
    h("p", {}, h("code", { id: "impersonation-code-value" }, started.code)),
    h("p", { class: "hint" }, "Redeem it in the product (auth.impersonation.redeem) to open the session as the user; the product shows a banner while it lasts.")
  ) : null;
  return h("div", { id: "impersonations" }, code, table(["Started by", "Reason", "Mode", "Since", "Until", "Redeemed", ""], mine.map((i) => row(page, i)), "No open impersonation."));
}
function row(page, impersonation) {
  const end = h("button", { type: "button", class: "danger", name: "end-impersonation" }, "End now");
  end.addEventListener(
    "click",
    () => void dialog({
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
      }
    })
  );
  return [
    impersonation.admin_email,
    impersonation.reason,
    impersonation.read_only ? "read-only" : h("span", { class: "badge bad" }, "with writes"),
    when(impersonation.created_at),
    when(impersonation.expires_at),
    impersonation.redeemed ? "yes" : "not yet",
    may(page.me, "impersonation.end") ? end : ""
  ];
}

// panopticon/web/src/pages/user.ts
var REASON2 = { name: "reason", label: "Reason (recorded in the audit log)", required: true };
async function userPage(page) {
  const userId = page.parts[1] ?? "";
  const [data, open] = await Promise.all([client.users.get({ user_id: userId }), client.impersonation.list()]);
  return h(
    "section",
    { id: "user-page" },
    h("h1", {}, data.user.display_name || data.user.email, " ", data.user.disabled ? h("span", { class: "badge bad" }, "disabled") : null),
    h("div", { class: "grid" }, profile(data), h("div", { class: "card" }, h("h2", {}, "Actions"), actions2(page, data))),
    h("h2", {}, "Organizations"),
    table(
      ["Organization", "Role", "Joined"],
      data.orgs.map((org) => [link(`#/orgs/${encodeURIComponent(org.org_id)}`, org.name), org.role, when(org.joined_at)]),
      "Not a member of any organization."
    ),
    h("h2", {}, "Open impersonations"),
    impersonations(page, data.user, open.impersonations),
    h("h2", {}, `Active sessions (${data.sessions.length})`),
    sessions(page, data),
    h("h2", {}, "Recent audit entries"),
    auditTable(data.audit)
  );
}
function profile(data) {
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
      h("dd", {}, when(user.created_at))
    )
  );
}
function button2(name, label, onClick, danger = false) {
  const element = h("button", { type: "button", name, class: danger ? "danger" : "" }, label);
  element.addEventListener("click", onClick);
  return element;
}
function actions2(page, data) {
  const user = data.user;
  const who = user.email;
  const list = h("div", { class: "actions" });
  if (may(page.me, "users.sessions.revoke")) {
    list.append(
      button2(
        "revoke-all",
        "Revoke all sessions",
        () => void dialog({
          title: `Sign ${who} out everywhere?`,
          text: `Ends all ${data.sessions.length} of their sessions at once.`,
          fields: [{ ...REASON2, required: false }],
          confirm: "Revoke all sessions",
          danger: true,
          run: async (values) => {
            const out = await client.users.sessions.revoke({ user_id: user.id, ...values.reason ? { reason: values.reason } : {} });
            notify(`Revoked ${out.revoked} session${out.revoked === 1 ? "" : "s"} of ${who}.`);
            page.refresh();
          }
        })
      )
    );
  }
  if (may(page.me, "users.verification.resend") && !user.verified) {
    list.append(
      button2(
        "resend-verification",
        "Resend verification",
        () => void dialog({
          title: `Send ${who} a new verification mail?`,
          fields: [{ ...REASON2, required: false }],
          confirm: "Send",
          run: async (values) => {
            await client.users.verification.resend({ user_id: user.id, ...values.reason ? { reason: values.reason } : {} });
            notify(`A verification mail to ${who} is on its way.`);
            page.refresh();
          }
        })
      )
    );
  }
  if (may(page.me, "users.password_reset.send")) {
    list.append(
      button2(
        "password-reset",
        "Send password reset",
        () => void dialog({
          title: `Send ${who} a password reset?`,
          text: "They get a mail with a code to choose a new password.",
          fields: [{ ...REASON2, required: false }],
          confirm: "Send",
          run: async (values) => {
            await client.users.password_reset.send({ user_id: user.id, ...values.reason ? { reason: values.reason } : {} });
            notify(`A password reset mail to ${who} is on its way.`);
            page.refresh();
          }
        })
      )
    );
  }
  if (user.disabled ? may(page.me, "users.enable") : may(page.me, "users.disable")) {
    list.append(
      user.disabled ? button2(
        "enable",
        "Enable account",
        () => void dialog({
          title: `Enable ${who}?`,
          text: "They can sign in again.",
          fields: [REASON2],
          confirm: "Enable",
          run: async (values) => {
            await client.users.enable({ user_id: user.id, reason: values.reason ?? "" });
            notify(`${who} is enabled.`);
            page.refresh();
          }
        })
      ) : button2(
        "disable",
        "Disable account",
        () => void dialog({
          title: `Disable ${who}?`,
          text: "They cannot sign in, and every session of theirs ends at once.",
          fields: [REASON2],
          confirm: "Disable",
          danger: true,
          run: async (values) => {
            await client.users.disable({ user_id: user.id, reason: values.reason ?? "" });
            notify(`${who} is disabled.`);
            page.refresh();
          }
        }),
        true
      )
    );
  }
  const impersonate = impersonateButton(page, user);
  if (impersonate) list.append(impersonate);
  if (list.childElementCount === 0) return h("p", { class: "hint" }, `Your role (${page.me.role}) may only look.`);
  return list;
}
function sessions(page, data) {
  const revoke = may(page.me, "users.sessions.revoke");
  return table(
    ["Started", "Last seen", "Expires", "Active organization", "Device", ""],
    data.sessions.map((session) => [
      when(session.created_at),
      when(session.last_seen_at),
      when(session.expires_at),
      session.active_org_id ? link(`#/orgs/${encodeURIComponent(session.active_org_id)}`, session.active_org_id) : "—",
      h("span", { class: "mono" }, session.user_agent || "—"),
      revoke ? button2(
        "revoke-session",
        "Revoke",
        () => void dialog({
          title: "Revoke this session?",
          fields: [{ ...REASON2, required: false }],
          confirm: "Revoke",
          danger: true,
          run: async (values) => {
            await client.users.sessions.revoke({ user_id: data.user.id, session_id: session.id, ...values.reason ? { reason: values.reason } : {} });
            notify("Session revoked.");
            page.refresh();
          }
        })
      ) : null
    ]),
    "No active sessions."
  );
}

// panopticon/web/src/pages/index.ts
var PAGES = {
  search: searchPage,
  users: userPage,
  orgs: orgPage,
  audit: auditPage,
  system: systemPage,
  admins: adminsPage
};
var NAV = [
  { path: "search", label: "Search", visible: () => true },
  { path: "audit", label: "Audit log", visible: () => true },
  { path: "system", label: "System", visible: () => true },
  { path: "admins", label: "Administrators", visible: (me2) => allows(me2, "owner") }
];
var DEFAULT_PAGE = "search";

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
var generation = 0;
async function render() {
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
  showNotice();
  if (view === void 0) {
    mount(content, h("h1", {}, "Not found"), h("p", {}, "No such page."));
    return;
  }
  const page = { me: current, parts, query, refresh: () => void render() };
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
