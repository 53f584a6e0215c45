// Shared by the tests that read spec/vectors/codecs.json (core codecs and core/lite).

/** codecs.json's value model: {"$bytes":hex} is a Uint8Array, {"$f64":"NaN"} a special number, null absent. */
export function toValue(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.map(toValue);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$bytes === "string") return new Uint8Array(Buffer.from(o.$bytes, "hex"));
    if (typeof o.$f64 === "string") return o.$f64 === "-0" ? -0 : Number(o.$f64);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, toValue(x)]));
  }
  return v;
}
