// `client.batch(...)`: several calls in one POST /jsonrpc against a live product server in test
// mode (started by frontend/typescript_test.py), results typed in order, each call on its own.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, type NoteCount, type Pong } from "../src/generated/demo.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";

/** A client whose fetch counts the requests it sends and where. */
function counted(headers?: Record<string, string>) {
  const sent: string[] = [];
  const client = createClient({
    baseUrl,
    headers,
    fetch: (input, init) => {
      sent.push(String(input));
      return fetch(input, init);
    },
  });
  return { client, sent };
}

test("a batch is one request answering each call, typed and in order", async () => {
  const user = process.env.BLOSSOM_TEST_USER;
  const org = process.env.BLOSSOM_TEST_ORG;
  assert.ok(user && org, "the test command provides a user and an org");
  const { client, sent } = counted({ "x-test-principal": `user=${user}; org=${org}` });

  const [pong, invalid, full, count] = await client.batch((c) => [
    c.demo.ping({ message: "hi" }),
    c.demo.invite({ team: "", members: [{ email: "a@b.c" }, { email: "nope" }] }),
    c.demo.invite({ team: "Core", members: [1, 2, 3, 4].map((n) => ({ email: `m${n}@b.c` })) }),
    c.demo.note_count(),
  ]);

  assert.deepEqual(sent, [`${baseUrl}/jsonrpc`]);
  assert.ok(pong.ok);
  const message: Pong["message"] = pong.value.message; // typed by its route: compile-time proof
  assert.equal(message, "hi");

  assert.ok(!invalid.ok);
  assert.equal(invalid.error.route, "demo.invite");
  if (invalid.error.error.code !== "invalid_input") throw invalid.error;
  assert.deepEqual(invalid.error.error.fields.map((f) => f.path), ["team", "members[1].email"]);

  assert.ok(!full.ok);
  if (full.error.error.code !== "seats_exhausted") throw full.error;
  assert.equal(full.error.error.seats, 3); // the declared error's own field, typed

  assert.ok(count.ok);
  const notes: NoteCount = count.value;
  assert.deepEqual(notes, { org_id: org, notes: 2 });
});

test("each call of a batch is authorized on its own", async () => {
  const { client } = counted();
  const [pong, count] = await client.batch((c) => [c.demo.ping({ message: "anyone" }), c.demo.note_count()]);
  assert.ok(pong.ok);
  assert.ok(!count.ok);
  assert.equal(count.error.error.code, "unauthenticated");
});

test("a batch over the server's limit is refused as a whole", async () => {
  const { client } = counted();
  await assert.rejects(
    client.batch((c) => Array.from({ length: 51 }, (_, n) => c.demo.ping({ message: `${n}` }))),
    (error: unknown) => {
      assert.ok(error instanceof Error && "error" in error);
      assert.equal((error as { error: { code: string } }).error.code, "batch_too_large");
      return true;
    },
  );
});

test("the batch's types follow its calls at compile time", () => {
  const neverCalled = async (): Promise<void> => {
    const { client } = counted();
    const [pong] = await client.batch((c) => [c.demo.ping({ message: "x" })]);
    if (pong.ok) {
      // @ts-expect-error: a Pong has no notes
      void pong.value.notes;
    }
    // @ts-expect-error: streaming routes cannot be batched
    void client.batch((c) => [c.demo.count({ to: 1 })]);
  };
  assert.equal(typeof neverCalled, "function");
});
