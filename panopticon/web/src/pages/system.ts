// The system page: the app's version, the schema version, the database's size and connections.

import { client, type Page } from "../context.js";
import { h, table } from "../dom.js";

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export async function systemPage(_page: Page): Promise<Node> {
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
        h("dd", {}, `${status.connections.total} of ${status.connections.max}`),
      ),
    ),
    h("h2", {}, "Connections by role"),
    table(["Role", "Connections"], status.connections.by_role.map((r) => [r.role, String(r.connections)])),
  );
}
