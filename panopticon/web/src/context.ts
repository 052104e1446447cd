// What a page is given: the typed client (same origin, the session cookie travels by itself),
// the signed-in administrator, and navigation.

import { createClient, type AdminOut } from "../../../frontend/src/generated/panopticon.js";

export const client = createClient({ baseUrl: "" }); // "" = this origin: POST /rpc/<route>
export type Client = typeof client;

export type Role = AdminOut["role"];
const LADDER: Role[] = ["viewer", "support", "operator", "owner"];

/** Whether the signed-in administrator's role reaches `minimum` (the server decides; this only
 * hides buttons that would be refused). */
export function allows(me: AdminOut, minimum: Role): boolean {
  return LADDER.indexOf(me.role) >= LADDER.indexOf(minimum);
}

/** Each action's minimum role, as the routes declare it (panopticon/README.md's permission
 * table): buttons a role would be refused are not shown. The server decides regardless. */
export const MINIMUM_ROLE = {
  "users.sessions.revoke": "support",
  "users.verification.resend": "support",
  "users.password_reset.send": "support",
  "users.disable": "operator",
  "users.enable": "operator",
  "orgs.members.remove": "operator",
  "orgs.invites.cancel": "operator",
  "orgs.ownership.transfer": "operator",
  "orgs.delete": "operator",
  "impersonation.start": "support", // with writes: operator
  "impersonation.end": "support",
  "admins.list": "owner",
} as const satisfies Record<string, Role>;

export function may(me: AdminOut, route: keyof typeof MINIMUM_ROLE): boolean {
  return allows(me, MINIMUM_ROLE[route]);
}

export interface Page {
  me: AdminOut;
  /** The path after `#`, split on "/", and the query string's values. */
  parts: string[];
  query: URLSearchParams;
  /** Render this page again (after an action changed what it shows). */
  refresh(): void;
}

export function go(path: string): void {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}
