import { code128, drawingSVG, qrcode } from "bwip-js/generic";

// Barcodes as inline SVG, drawn in the Worker by bwip-js (Barcode Writer in Pure PostScript, ported to
// JavaScript): its platform-neutral build, one import per symbology so only Code 128 and QR Code are
// bundled; no canvas, no DOM, no Node API. The markup goes straight into our pages (the CSP allows
// no inline style, and this has none: only viewBox, width, height and fill attributes).
//
// Each SVG is role="img" with an aria-label and a <title> (the label given), on a white ground with
// the symbology's quiet zone inside it, so a scanner reads it from a phone screen in dark mode too.
// width/height are CSS pixels (the stylesheet's .barcode lets it shrink on a narrow screen).

type Options = { label: string };

const CODE128_MODULE_PX = 2; // 13 digits ≈ 123 modules + 2×10 quiet: ≈ 286 CSS px wide
const CODE128_HEIGHT_MM = 16; // bwip-js counts bar height in mm at 72 dpi: 16 mm ≈ 45 modules ≈ 90 px
const QR_TARGET_PX = 232; // the symbol with its 4-module quiet zone, whatever its version

/** The options given to bwip-js (a test compares our drawing with the library's own for the same text). */
export const barcodeOptions = {
  // paddingwidth 10: the quiet zone, 10 modules each side (scale 1: a module is one unit).
  code128: (text: string) => ({ bcid: "code128", text, scale: 1, height: CODE128_HEIGHT_MM, paddingwidth: 10, paddingheight: 2 }),
  // padding 8: the 4-module quiet zone (bwip-js draws a QR module 2 units wide at scale 1).
  qrcode: (text: string) => ({ bcid: "qrcode", text, scale: 1, eclevel: "M", padding: 8 }),
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** bwip-js answers `<svg viewBox="0 0 W H" xmlns=…>…</svg>`: keep the drawing, wrap it in ours. */
function wrap(svg: string, options: Options & { className: string; widthPx: number }): string {
  const match = /^<svg viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"[^>]*>([\s\S]*)<\/svg>\s*$/.exec(svg);
  if (!match) throw new Error("bwip-js answered an SVG of an unexpected shape");
  const [, w = "", h = "", drawing = ""] = match;
  const width = Number(w);
  const height = Number(h);
  const heightPx = Math.round((options.widthPx * height) / width);
  const label = escapeXml(options.label);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="${options.className}" viewBox="0 0 ${width} ${height}"` +
    ` width="${options.widthPx}" height="${heightPx}" role="img" aria-label="${label}">` +
    `<title>${label}</title><rect width="${width}" height="${height}" fill="#ffffff"/>${drawing.trim()}</svg>`
  );
}

/** Code 128 of `text` (a card number: bwip-js uses code set C for the digit pairs). The digits are
 * not drawn inside the SVG: the page prints them under it as text, which a screen reader and a
 * cashier typing it by hand both read better. */
export function code128Svg(text: string, options: Options): string {
  const svg = code128(barcodeOptions.code128(text), drawingSVG());
  const modules = Number(/viewBox="0 0 (\d+)/.exec(svg)?.[1] ?? 0);
  return wrap(svg, { ...options, className: "barcode barcode-code128", widthPx: modules * CODE128_MODULE_PX });
}

/** QR Code of `text` (a card number, or a card link's URL), error correction M, 4-module quiet zone. */
export function qrCodeSvg(text: string, options: Options): string {
  const svg = qrcode(barcodeOptions.qrcode(text), drawingSVG());
  return wrap(svg, { ...options, className: "barcode barcode-qr", widthPx: QR_TARGET_PX });
}
