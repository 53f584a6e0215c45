// Datagrams the OS dropped before the bridge could read them (a full receive buffer): Linux counts them
// per socket in the last column of /proc/net/udp and /proc/net/udp6. Elsewhere there is no such count.
import { readFileSync } from "node:fs";

/** Sums the `drops` column of the sockets bound to local `port` in the text of /proc/net/udp(6). */
export function dropsInProcNetUdp(text: string, port: number): number {
  let sum = 0;
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13) continue;
    const local = cols[1].split(":");
    if (parseInt(local[local.length - 1], 16) === port) sum += Number(cols[cols.length - 1]) || 0;
  }
  return sum;
}

/** The OS's drops on the UDP sockets bound to `port`, or null where the OS does not say (not Linux). */
export function osReceiveDrops(port: number): number | null {
  let found = false;
  let sum = 0;
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    found = true;
    sum += dropsInProcNetUdp(text, port);
  }
  return found ? sum : null;
}
