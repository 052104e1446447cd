// The public assistant chat with the generated product client, against a live product server
// whose OpenAI base URL points at a fake (started by frontend/typescript_test.py; it echoes).
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, RpcError } from "../src/generated/product.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";
const handle = process.env.BLOSSOM_TEST_HANDLE ?? "typescript-suite";
const client = createClient({ baseUrl });

test("a visitor starts a conversation, posts, and consumes the streamed reply", async () => {
  const started = await client.chat.start({ handle });
  assert.equal(started.workspace.handle, handle);
  const visitor = { conversation_id: started.conversation_id, token: started.token };

  const key = { headers: { "idempotency-key": `ts-${started.conversation_id}` } };
  const posted = await client.chat.post({ ...visitor, content: "When are you open?" }, key);
  assert.deepEqual(await client.chat.post({ ...visitor, content: "When are you open?" }, key), posted);

  const kinds: string[] = [];
  let text = "";
  let stored = "";
  for await (const event of client.chat.reply(visitor)) {
    kinds.push(event.type);
    if (event.type === "delta") text += event.text;
    if (event.type === "message_end") stored = event.message_id;
  }
  assert.equal(kinds[0], "message_start");
  assert.equal(kinds.at(-1), "message_end");
  assert.equal(text, "echo: When are you open?");

  const { messages } = await client.chat.messages(visitor);
  assert.deepEqual(
    messages.map((m) => [m.role, m.content]),
    [
      ["visitor", "When are you open?"],
      ["assistant", text],
    ],
  );
  assert.equal(messages[1]?.id, stored);
});

test("another conversation's id with my token is not found", async () => {
  const mine = await client.chat.start({ handle });
  const theirs = await client.chat.start({ handle });
  await assert.rejects(client.chat.messages({ conversation_id: theirs.conversation_id, token: mine.token }), (error) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.error.code, "conversation_not_found");
    return true;
  });
});
