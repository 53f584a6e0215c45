// The port of a UDP socket made inside native code that does not tell it (the QUIC stack's client
// endpoint). Linux only: the sockets this process gained while `create` ran, looked up in
// /proc/self/net/udp{,6}. Elsewhere, or if /proc says nothing, the port is 0 (unknown).
import { readdirSync, readlinkSync, readFileSync } from "node:fs";

function socketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function portOfInode(inode: string): number {
  for (const table of ["/proc/self/net/udp", "/proc/self/net/udp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (cols[9] === inode) return parseInt(cols[1].split(":")[1], 16);
    }
  }
  return 0;
}

/** Runs `create` (synchronous), and returns what it made with the port of the UDP socket it opened. */
export function withUdpPort<T>(create: () => T): { made: T; port: number } {
  if (process.platform !== "linux") return { made: create(), port: 0 };
  let before: Set<string>;
  try {
    before = socketInodes();
  } catch {
    return { made: create(), port: 0 };
  }
  const made = create();
  try {
    for (const inode of socketInodes()) {
      if (before.has(inode)) continue;
      const port = portOfInode(inode);
      if (port) return { made, port };
    }
  } catch {
    // no /proc to read
  }
  return { made, port: 0 };
}
