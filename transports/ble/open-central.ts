// Finds a working Bluetooth library: @abandonware/noble first, then node-ble. Both are optional npm
// packages, imported only here. When neither has an adapter, one line says why for each.
import type { BleCentral } from "./central";
import { loadOptional } from "../optional";

export class NoBluetoothError extends Error {
  constructor(reasons: string[]) {
    super(`ble: no Bluetooth adapter: ${reasons.join("; ")}`);
    this.name = "NoBluetoothError";
  }
}

function oneLine(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  // noble opens an HCI socket as it loads: a kernel without Bluetooth refuses the address family.
  if (/EAFNOSUPPORT/.test(text)) return "this system has no Bluetooth sockets (EAFNOSUPPORT)";
  return text;
}

export async function openCentral(prefer?: "noble" | "node-ble"): Promise<BleCentral> {
  const reasons: string[] = [];
  for (const library of prefer === "node-ble" ? ["node-ble", "noble"] : ["noble", "node-ble"]) {
    try {
      if (library === "noble") {
        const mod = await loadOptional<any>("@abandonware/noble", "ble");
        return await (await import("./noble-central")).nobleCentral(mod.default ?? mod);
      }
      const mod = await loadOptional<any>("node-ble", "ble");
      return await (await import("./node-ble-central")).nodeBleCentral(mod.default ?? mod);
    } catch (e) {
      reasons.push(`${library}: ${oneLine(e)}`);
    }
  }
  throw new NoBluetoothError(reasons);
}
