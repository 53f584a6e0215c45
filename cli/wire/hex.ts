import { CliError, ExitCode } from "../exit-codes";

/** Parses hex as people paste it: spaces, colons, commas, `0x` prefixes and newlines are all fine. */
export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, "").replace(/[\s:,_-]/g, "");
  if (clean.length === 0) throw new CliError("no bytes given", ExitCode.BadInput);
  const bad = clean.search(/[^0-9a-f]/i);
  if (bad >= 0) throw new CliError(`not hex: "${clean[bad]}" at character ${bad + 1}`, ExitCode.BadInput);
  if (clean.length % 2) throw new CliError(`odd number of hex digits (${clean.length})`, ExitCode.BadInput);
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

export { bytesToHex as toHex } from "../../core/hex";
