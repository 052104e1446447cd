// The otpauth:// link as a QR code for the authenticator app's camera: a GIF data: URL (the
// page's policy allows data: images, nothing else from outside), drawn by qrcode-generator (MIT).

import qrcode from "qrcode-generator";
import { h } from "./dom.js";

export function qrImage(text: string): HTMLImageElement {
  const code = qrcode(0, "M"); // 0: the smallest version that holds the text
  code.addData(text);
  code.make();
  const cell = 4;
  const margin = 4 * cell;
  const size = code.getModuleCount() * cell + 2 * margin;
  return h("img", { src: code.createDataURL(cell, margin), alt: "QR code of the link below", width: size, height: size, id: "totp-qr" });
}
