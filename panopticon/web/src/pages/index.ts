// The pages behind the sign-in, by the first part of the hash (#/<name>/…), and the header's
// navigation.

import type { AdminOut } from "../../../../frontend/src/generated/panopticon.js";
import { allows, type Page } from "../context.js";
import { adminsPage } from "./admins.js";

export type View = (page: Page) => Promise<Node>;

export const PAGES: Record<string, View> = {
  admins: adminsPage,
};

export const NAV: { path: string; label: string; visible: (me: AdminOut) => boolean }[] = [
  { path: "admins", label: "Administrators", visible: (me) => allows(me, "owner") },
];

export const DEFAULT_PAGE = "admins";
