// A real user journey through the generated product client, against a live server: sign up,
// create an org, invite a second user who accepts, switch orgs, list members, change a role,
// revoke a session, and the typed errors met on the way.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { createClient, isRouteError, type Client } from "../src/generated/product.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";
const outbox = process.env.BLOSSOM_MAIL_OUTBOX ?? "";
const run = Math.random().toString(36).slice(2, 8);
const password = "violet tractor sings";

/** A browser, as far as cookies go: keeps the session cookie the server sets. */
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

/** The code in the newest mail of a kind ("invitation") to `to`. The server records mail in a
 * file in test mode; it is delivered through the outbox just after the request commits, so the
 * mail may arrive a moment after the answer: wait for it (up to 10 s). */
async function lastCode(to: string, kind: string): Promise<string> {
  const pattern = new RegExp(`${kind} code: (\\S+)`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = existsSync(outbox)
      ? readFileSync(outbox, "utf8")
          .split("\n")
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line) as { to: string; body: string })
      : [];
    const message = messages.reverse().find((m) => m.to === to.toLowerCase() && pattern.test(m.body));
    const code = message?.body.match(pattern)?.[1];
    if (code) return code;
    assert.ok(Date.now() < deadline, `no ${kind} code mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function signUpAndIn(client: Client, email: string, name: string) {
  assert.deepEqual(await client.auth.signup({ email, password, display_name: name }), { status: "check_your_email" });
  return client.auth.login({ email, password });
}

test("a team forms: sign up, create, invite, accept, switch, list, promote, revoke", async () => {
  const alice = browser();
  const bob = browser();
  const aliceEmail = `alice-${run}@example.com`;
  const bobEmail = `bob-${run}@example.com`;

  const aliceInit = await signUpAndIn(alice, aliceEmail, "Alice");
  assert.equal(aliceInit.user?.email, aliceEmail);
  assert.equal(aliceInit.active_org, null);
  await signUpAndIn(bob, bobEmail, "Bob");

  // A wrong password is a typed error.
  await assert.rejects(alice.auth.login({ email: aliceEmail, password: "not the password" }), (error: unknown) => {
    assert.ok(isRouteError("auth.login", error));
    assert.equal(error.error.code, "invalid_credentials");
    assert.equal(error.status, 401);
    return true;
  });

  const org = await alice.orgs.create({ name: `Journey ${run}` });
  assert.equal(org.role, "owner");
  const invite = await alice.members.invite({ email: bobEmail, role: "member" });
  assert.equal(invite.email, bobEmail);

  const joined = await bob.invites.accept({ token: await lastCode(bobEmail, "invitation") });
  assert.deepEqual(joined, { id: org.id, name: org.name, role: "member" });

  // Bob has an org of his own too; he switches back to the team's.
  const own = await bob.orgs.create({ name: `Bob's ${run}` });
  assert.equal((await bob.auth.init()).active_org?.id, own.id);
  assert.equal((await bob.orgs.switch({ org_id: org.id })).id, org.id);
  assert.deepEqual((await bob.orgs.list()).orgs.map((o) => o.id).sort(), [org.id, own.id].sort());

  const { members, invites } = await bob.members.list();
  assert.deepEqual(members.map((m) => [m.email, m.role]), [[aliceEmail, "owner"], [bobEmail, "member"]]);
  assert.deepEqual(invites, []);

  const bobMember = members.find((m) => m.email === bobEmail);
  assert.ok(bobMember);
  const promoted = await alice.members.change_role({ member_id: bobMember.id, role: "admin" });
  assert.equal(promoted.role, "admin");

  // Every change is in the organization's audit log, newest first; an admin may read it.
  const audit = await bob.orgs.audit.list({ limit: 10 });
  assert.deepEqual(
    audit.entries.map((e) => e.action),
    ["members.change_role", "invites.accept", "members.invite", "orgs.create"],
  );
  assert.deepEqual(audit.entries[0]?.after, { user_id: bobMember.user_id, role: "admin" });
  assert.equal(audit.next_cursor, null);

  // The last owner cannot leave: a typed error narrowed by its code.
  await assert.rejects(alice.members.leave(), (error: unknown) => {
    assert.ok(isRouteError("members.leave", error));
    if (error.error.code !== "last_owner") throw error;
    assert.equal(error.status, 409);
    return true;
  });

  // Alice signs in elsewhere, then revokes that other session.
  const laptop = browser();
  await laptop.auth.login({ email: aliceEmail, password });
  const { sessions } = await alice.auth.sessions.list();
  assert.equal(sessions.length, 2);
  const other = sessions.find((s) => !s.current);
  assert.ok(other);
  assert.deepEqual(await alice.auth.sessions.revoke({ session_id: other.id }), { revoked: 1 });
  assert.equal((await laptop.auth.init()).user, null);
  assert.equal((await alice.auth.init()).user?.email, aliceEmail);
});
