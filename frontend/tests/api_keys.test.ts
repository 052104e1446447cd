// API keys through the generated product client, against a live server: an owner creates a key
// (its token shown once), a server calls with `Authorization: Bearer`, a read key is refused a
// write, and a revoked key is refused at its next call.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, isRouteError, type Client } from "../src/generated/product.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";
const run = Math.random().toString(36).slice(2, 8);
const password = "violet tractor sings";

function browser(): Client {
  let cookie = "";
  const fetchWithCookies: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(input, { ...init, headers });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ""] = setCookie.split(";");
      const [name, value = ""] = pair.split("=");
      if (name === "blossom_session") cookie = value ? `${name}=${value}` : "";
    }
    return response;
  };
  return createClient({ baseUrl, fetch: fetchWithCookies });
}

/** A server: no cookies, a bearer token on every call. */
function server(token: string): Client {
  const withBearer: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  return createClient({ baseUrl, fetch: withBearer });
}

test("an owner creates an API key, a server uses it, the owner revokes it", async () => {
  const owner = browser();
  const email = `keys-${run}@example.com`;
  await owner.auth.signup({ email, password, display_name: "Key Owner" });
  await owner.auth.login({ email, password });
  await owner.orgs.create({ name: `Keys ${run}` });

  const created = await owner.api_keys.create({ name: "deploy", scope: "read" });
  assert.ok(created.token.startsWith("bk_"));
  assert.equal(created.key.scope, "read");
  const listed = await owner.api_keys.list({});
  assert.deepEqual(
    listed.keys.map((k) => k.id),
    [created.key.id],
  );

  const bot = server(created.token);
  const members = await bot.members.list({});
  assert.deepEqual(
    members.members.map((m) => m.email),
    [email],
  );
  // A read key cannot write.
  await assert.rejects(bot.members.invite({ email: `x-${run}@example.com`, role: "member" }), (error: unknown) => {
    assert.ok(isRouteError("members.invite", error));
    assert.equal(error.status, 403);
    return true;
  });

  const revoked = await owner.api_keys.revoke({ key_id: created.key.id });
  assert.ok(revoked.revoked_at);
  await assert.rejects(bot.members.list({}), (error: unknown) => {
    assert.ok(isRouteError("members.list", error));
    assert.equal(error.error.code, "unauthenticated");
    return true;
  });
});
