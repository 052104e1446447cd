// The generated demo client (routes the product app serves outside production) against a live
// product server in test mode (started by frontend/typescript_test.py): every wire type, errors, streams.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, isRouteError, RpcError, type Everything } from "../src/generated/demo.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";
const client = createClient({ baseUrl });

const everything: Everything = {
  text: "héllo",
  count: 3,
  ratio: 0.5,
  flag: true,
  point: { x: 1, y: -2 },
  points: [{ x: 0, y: 0 }],
  labels: { a: 1 },
  size: "m",
  color: "green",
  shape: { type: "square", side: 2.5 },
  when: "2026-05-17T08:30:15.123456Z",
  day: "2026-02-28",
  price: "19.99",
  token: "6f1c2b9e-8a1f-4c33-9f4e-2d7b1c0a9e55",
  note: null,
  tags: ["x"],
};

test("every wire type round-trips unchanged", async () => {
  const out = await client.demo.echo(everything);
  assert.deepEqual(out.echo, everything);
  assert.equal(out.nickname_state, "absent");
});

test("absent, null and a value are three different things", async () => {
  assert.equal((await client.demo.echo({ ...everything, nickname: null })).nickname_state, "null");
  assert.equal((await client.demo.echo({ ...everything, nickname: "Bee" })).nickname_state, "set");
});

test("a validation error carries every bad field's path", async () => {
  try {
    await client.demo.invite({ team: "", members: [{ email: "a@b.c" }, { email: "nope" }] });
    assert.fail("expected a validation error");
  } catch (error) {
    assert.ok(isRouteError("demo.invite", error));
    assert.equal(error.status, 400);
    if (error.error.code !== "invalid_input") throw error;
    assert.deepEqual(error.error.fields.map((f) => f.path), ["team", "members[1].email"]);
  }
});

test("a declared error narrows by code to its typed fields", async () => {
  const members = ["a@x.io", "b@x.io", "c@x.io", "d@x.io"].map((email) => ({ email }));
  try {
    await client.demo.invite({ team: "t", members });
    assert.fail("expected seats_exhausted");
  } catch (error) {
    assert.ok(isRouteError("demo.invite", error));
    assert.equal(error.status, 409);
    switch (error.error.code) {
      case "seats_exhausted": {
        const seats: number = error.error.seats; // only this branch has `seats`
        assert.equal(seats, 3);
        break;
      }
      default:
        assert.fail(`unexpected ${error.error.code}`);
    }
  }
});

test("a stream is read with for await", async () => {
  const seen: number[] = [];
  for await (const tick of client.demo.count({ to: 5 })) seen.push(tick.n);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

test("an aborted call rejects and the server sees the cancel", async () => {
  const before = (await client.demo.stream_stats()).cancelled;
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const tick of client.demo.count({ to: 1000, interval_ms: 50 }, { signal: controller.signal })) {
        seen.push(tick.n);
        if (tick.n === 2) controller.abort();
      }
    })(),
    (error: Error) => error.name === "AbortError",
  );
  assert.deepEqual(seen, [1, 2]);
  let after = before;
  for (let attempt = 0; attempt < 50 && after === before; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = (await client.demo.stream_stats()).cancelled;
  }
  assert.equal(after, before + 1, "the server cancelled the stream's handler");
});

test("an already-aborted signal rejects a plain call", async () => {
  await assert.rejects(client.demo.ping({ message: "hi" }, { signal: AbortSignal.abort() }), { name: "AbortError" });
});

test("organization routes need a principal with an active org", async () => {
  await assert.rejects(client.demo.note_count(), (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.status, 401);
    assert.equal(error.error.code, "unauthenticated");
    return true;
  });
  const user = process.env.BLOSSOM_TEST_USER;
  const org = process.env.BLOSSOM_TEST_ORG;
  assert.ok(user && org, "the test command provides a user and an org");
  const member = createClient({ baseUrl, headers: { "x-test-principal": `user=${user}; org=${org}` } });
  assert.deepEqual(await member.demo.note_count(), { org_id: org, notes: 2 });
});

test("the generated types reject wrong input at compile time", () => {
  const neverCalled = (): void => {
    // @ts-expect-error: message must be a string
    void client.demo.ping({ message: 1 });
    // @ts-expect-error: a Square has no radius
    void client.demo.echo({ ...everything, shape: { type: "square", radius: 1 } });
    // @ts-expect-error: there is no such route
    void client.demo.nope;
  };
  assert.equal(typeof neverCalled, "function");
});
