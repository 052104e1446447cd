// The graph module through the generated product client, against a live server in test mode
// (started by frontend/typescript_test.py): a node type with a JSON Schema, nodes, a relationship,
// typed errors, and a JSON-RPC batch of graph reads and writes in one request.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, isRouteError, type NodeOut, type RelationshipOut } from "../src/generated/product.js";

const baseUrl = process.env.BLOSSOM_PRODUCT_URL ?? "http://127.0.0.1:8000";
const run = Math.random().toString(36).slice(2, 8);

function member() {
  const user = process.env.BLOSSOM_TEST_USER;
  const org = process.env.BLOSSOM_TEST_ORG;
  assert.ok(user && org, "the test command provides a user and an org");
  const sent: string[] = [];
  const client = createClient({
    baseUrl,
    headers: { "x-test-principal": `user=${user}; org=${org}` },
    fetch: (input, init) => {
      sent.push(String(input));
      return fetch(input, init);
    },
  });
  return { client, sent };
}

test("a type, nodes and a relationship; a bad document is refused naming its path", async () => {
  const { client } = member();
  const person = await client.node_types.create({
    name: `person-${run}`,
    schema: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name"] },
  });
  const ada: NodeOut = await client.nodes.create({ node_type_id: person.id, data: { name: "Ada", age: 36 } });
  const bob = await client.nodes.create({ node_type_id: person.id, data: { name: "Bob" } });
  const knows: RelationshipOut = await client.relationships.create({
    source_node_id: ada.id,
    target_node_id: bob.id,
    type: "knows",
    data: { since: 2020 },
  });
  assert.equal(knows.target_node_id, bob.id);

  const patched = await client.nodes.patch({ id: ada.id, patch: { age: null } });
  assert.deepEqual(patched.data, { name: "Ada" });

  await assert.rejects(client.nodes.create({ node_type_id: person.id, data: { name: 7 } }), (error: unknown) => {
    assert.ok(isRouteError("nodes.create", error));
    if (error.error.code !== "schema_violation") throw error;
    assert.deepEqual(error.error.fields.map((f) => f.path), ["data.name"]); // typed: the error's own field
    return true;
  });

  const walk = await client.nodes.traverse({ id: ada.id, max_depth: 2 });
  assert.deepEqual(walk.nodes.map((r) => [r.node.id, r.depth]), [[bob.id, 1]]);
});

test("a batch of graph calls is one request, each answered in order and typed", async () => {
  const { client, sent } = member();
  const kind = await client.node_types.create({ name: `city-${run}` });
  const [a, b] = await Promise.all([
    client.nodes.create({ node_type_id: kind.id, data: { name: "Aix", sunny: true } }),
    client.nodes.create({ node_type_id: kind.id, data: { name: "Brest", sunny: false } }),
  ]);
  sent.length = 0;

  const [road, sunny, missing, around] = await client.batch((c) => [
    c.relationships.create({ source_node_id: a.id, target_node_id: b.id, type: "road" }),
    c.nodes.list({ node_type_id: kind.id, filter: { sunny: true } }),
    c.nodes.get({ id: "nod_00000000000000000000000000" }),
    c.nodes.neighbours({ id: a.id }),
  ]);

  assert.deepEqual(sent, [`${baseUrl}/jsonrpc`]);
  assert.ok(road.ok);
  assert.equal(road.value.type, "road");
  assert.ok(sunny.ok);
  assert.deepEqual(sunny.value.nodes.map((n) => n.data.name), ["Aix"]);
  assert.ok(!missing.ok);
  assert.equal(missing.error.error.code, "node_not_found");
  assert.ok(around.ok); // ran after the relationship was created, in the same request
  assert.deepEqual(around.value.neighbours.map((n) => n.node.id), [b.id]);
});
