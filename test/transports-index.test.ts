// The lazy entry points: openTransport(url), a clear error for a missing optional package, and a
// serial-only user who never loads QUIC, NATS or serialport code.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, AddressInfo } from "node:net";
import { openTransport, MissingPackageError } from "../transports/index";
import { loadOptional } from "../transports/optional";
import type { UdpTransport, QuicTransport, NatsTransport, SerialTransport } from "../transports/index";
import { startNatsServer } from "../transports/testing/nats-server";
import { fnv1a32String } from "../core/fnv";

describe("openTransport", () => {
  it("opens UDP servers, clients and multicast from URLs", async () => {
    const server = (await openTransport("udp://127.0.0.1:0?listen&maxFrame=2000")) as UdpTransport;
    expect(server.mode).toBe("listen");
    expect(server.maxFrame).toBe(2000);
    const client = (await openTransport(`udp://127.0.0.1:${server.local.port}`)) as UdpTransport;
    expect(client.mode).toBe("connect");
    const group = (await openTransport("udp://239.255.67.9:0?multicast&interface=127.0.0.1")) as UdpTransport;
    expect(group.mode).toBe("multicast");
    for (const l of [server, client, group]) l.close();
  });

  it("opens serial over tcp:// and QUIC servers", async () => {
    const tcp = createServer((s) => s.destroy());
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    const link = (await openTransport(`tcp://127.0.0.1:${(tcp.address() as AddressInfo).port}?reconnect=false`)) as SerialTransport;
    expect(link.path).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    link.close();
    tcp.close();
    const saved = process.env.CELL_CONFIG_DIR;
    const config = mkdtempSync(join(tmpdir(), "cell-cfg-"));
    process.env.CELL_CONFIG_DIR = config;
    try {
      const q = (await openTransport("quic://127.0.0.1:0?listen")) as QuicTransport;
      expect(q.mode).toBe("listen");
      expect(q.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      q.close();
      await expect(openTransport("quic://127.0.0.1:9")).rejects.toThrow(/must pin/);
    } finally {
      if (saved === undefined) delete process.env.CELL_CONFIG_DIR;
      else process.env.CELL_CONFIG_DIR = saved;
      rmSync(config, { recursive: true, force: true });
    }
  });

  it("opens NATS serving cells named, decimal or hex", async () => {
    const server = await startNatsServer();
    try {
      const link = (await openTransport(`${server.url}?serve=thermo,0x10,17&prefix=lab`)) as NatsTransport;
      expect(link.served).toEqual([fnv1a32String("thermo"), 16, 17]);
      expect(link.subjects.announce()).toBe("lab.announce");
      link.close();
    } finally {
      await server.stop();
    }
  });

  it("rejects unknown schemes and bad numbers", async () => {
    await expect(openTransport("ftp://x:1")).rejects.toThrow(/unknown scheme "ftp:"/);
    await expect(openTransport("udp://127.0.0.1:0?listen&maxFrame=-3")).rejects.toThrow(/maxFrame=-3 is not a positive number/);
  });
});

describe("optional packages", () => {
  it("names a missing package and the line that installs it", async () => {
    const err = (await loadOptional("cell-package-that-does-not-exist", "frobnicator").catch((e: unknown) => e)) as MissingPackageError;
    expect(err).toBeInstanceOf(MissingPackageError);
    expect(err.packageName).toBe("cell-package-that-does-not-exist");
    expect(err.message).toBe(
      'the frobnicator transport needs the npm package "cell-package-that-does-not-exist", which is not installed: npm install cell-package-that-does-not-exist'
    );
  });

  it("a serial-only user never loads QUIC, NATS or serialport code", () => {
    // A child process records every module specifier resolved while it opens serial over tcp://.
    const dir = mkdtempSync(join(tmpdir(), "cell-lazy-"));
    const hooks = join(dir, "hooks.mjs");
    writeFileSync(
      hooks,
      "let port; export function initialize(d) { port = d.port; } export async function resolve(s, c, next) { port.postMessage(s); return next(s, c); }\n"
    );
    const main = join(dir, "main.mts");
    writeFileSync(
      main,
      `import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
import { createServer } from "node:net";
const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on("message", (s) => seen.push(s));
register(${JSON.stringify("file://" + hooks)}, { data: { port: port2 }, transferList: [port2] });
const tcp = createServer(() => {});
await new Promise((r) => tcp.listen(0, "127.0.0.1", r));
const { serial, udp } = await import(${JSON.stringify(join(process.cwd(), "transports/index.ts"))});
const link = await serial("tcp://127.0.0.1:" + tcp.address().port);
link.close();
const u = await udp({ listen: "127.0.0.1:0" });
u.close();
tcp.close();
await new Promise((r) => setTimeout(r, 100));
port1.close();
console.log(JSON.stringify(seen));
`
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", main], { cwd: process.cwd(), encoding: "utf8", timeout: 30000 });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const seen: string[] = JSON.parse(run.stdout.trim().split("\n").pop()!);
    expect(seen.some((s) => s.endsWith("/serial") || s === "./serial")).toBe(true); // the hook did see the lazy imports
    expect(seen.filter((s) => /quic|nats|serialport/.test(s))).toEqual([]);
  });
});
