// A frame as one inline line of `cell monitor`: ⟨frame thermo.read req #3 {unit:"C"}⟩, named and decoded
// by the schema when one is given, the payload in hex when it cannot be read.
import type { CellDef } from "../../core/schema";
import { hexId } from "../../core/hex";
import { Kind } from "../../core/header";
import { bytesToHex } from "../../core/hex";
import { inspect } from "../wire/inspect";
import type { RawFrame } from "../wire/split";

const KIND_WORDS = ["req", "res", "err", "evt", "cancel", "announce"];

/** A value as short JavaScript-like text: {unit:"C",value:21.5}, bytes as hex. */
export function valueText(v: unknown): string {
  if (v instanceof Uint8Array) return `<${bytesToHex(v)}>`;
  if (Array.isArray(v)) return `[${v.map(valueText).join(",")}]`;
  if (v && typeof v === "object") {
    const fields = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${fields.map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}:${valueText(x)}`).join(",")}}`;
  }
  return v === undefined ? "undefined" : JSON.stringify(v);
}

export function frameText(raw: RawFrame, cells: CellDef[]): string {
  const r = inspect(raw, cells);
  if (r.problem && !r.names) return `⟨frame ${r.problem}: ${r.payload}⟩`;
  const n = r.names ?? {};
  const target = `${n.cell ?? hexId(r.cellId)}${r.kind === Kind.Announce ? "" : "." + (n.method ?? hexId(r.methodId))}`;
  const body = r.value !== undefined ? valueText(r.value) : r.payload ? r.payload : "(empty)";
  const problem = r.problem ? ` -- ${r.problem}` : "";
  return `⟨frame ${target} ${KIND_WORDS[r.kind] ?? `kind${r.kind}`} #${r.requestId} ${body}${problem}⟩`;
}
