// The messages every core benchmark uses: a small quote-like object and a 200-byte binary blob.
import { t } from "../core/schema";

export const Quote = t.struct({ symbol: t.string, bid: t.f64, ask: t.f64, size: t.u32, ts: t.u32 });
export const quote = { symbol: "ACME", bid: 101.25, ask: 101.5, size: 300, ts: 1764158400 };

export const Blob = t.struct({ data: t.bytes });
export const blob = { data: Uint8Array.from({ length: 200 }, (_, i) => (i * 7 + 3) & 255) };
