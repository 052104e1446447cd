// The pages behind the sign-in, by the first part of the hash (#/<name>/…), and the header's
// navigation.

import type { AdminOut } from "../../../../frontend/src/generated/panopticon.js";
import { allows, type Page } from "../context.js";
import { adminsPage } from "./admins.js";
import { auditPage } from "./audit.js";
import { orgPage } from "./org.js";
import { searchPage } from "./search.js";
import { systemPage } from "./system.js";
import { userPage } from "./user.js";

export type View = (page: Page) => Promise<Node>;

export const PAGES: Record<string, View> = {
  search: searchPage,
  users: userPage,
  orgs: orgPage,
  audit: auditPage,
  system: systemPage,
  admins: adminsPage,
};

export const NAV: { path: string; label: string; visible: (me: AdminOut) => boolean }[] = [
  { path: "search", label: "Search", visible: () => true },
  { path: "audit", label: "Audit log", visible: () => true },
  { path: "system", label: "System", visible: () => true },
  { path: "admins", label: "Administrators", visible: (me) => allows(me, "owner") },
];

export const DEFAULT_PAGE = "search";
