// `cell monitor` as a person runs it: a process on a port (here a TCP peer that talks like a board:
// console text with cell stream frames between the lines), Ctrl-C to leave.
import { describe, it, expect, afterEach } from "vitest";
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { Kind } from "../../core/header";
import { Thermo } from "../../examples/thermo/schema";
import { streamFrame } from "../monitor/test-frames";

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A peer that, once connected, sends `script` then keeps the connection open (or closes it with `close`). */
async function boardPeer(script: (Uint8Array | string)[], close = false): Promise<number> {
  const server = createServer((socket: Socket) => {
    for (const part of script) socket.write(typeof part === "string" ? Buffer.from(part) : Buffer.from(part));
    if (close) socket.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

function monitor(args: string[]) {
  const child = spawn(process.execPath, ["cli/bin/cell.mjs", "monitor", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, done, out: () => out, err: () => err };
}

async function waitFor(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SCRIPT = [
  "cell-sim board=esp32 booted\r\n",
  streamFrame(Thermo, "read", Kind.Request, 7, "F"),
  "read: 21.5 C\r\n",
  streamFrame(Thermo, "read", Kind.Response, 7, { unit: "F", value: 70.5 }),
  "half a line then ",
  streamFrame(Thermo, "alarm", Kind.Event, 0, { value: 31, threshold: 30 }),
  "the rest\r\n"
];

describe("cell monitor", () => {
  it("passes console text through, decodes frames by the schema, and leaves on Ctrl-C with 0", async () => {
    const port = await boardPeer(SCRIPT);
    const m = monitor(["--port", `tcp://127.0.0.1:${port}`, "--schema", "examples/thermo/schema.ts", "--cell", "thermo"]);
    await waitFor("the last console line", () => m.out().includes("the rest"));
    m.child.kill("SIGINT");
    expect(await m.done).toBe(0);
    expect(m.out()).toBe(
      [
        "cell-sim board=esp32 booted\r",
        '⟨frame thermo.read req #7 "F"⟩',
        "read: 21.5 C\r",
        '⟨frame thermo.read res #7 {unit:"F",value:70.5}⟩',
        "half a line then ",
        "⟨frame thermo.alarm evt #0 {value:31,threshold:30}⟩",
        "the rest\r",
        ""
      ].join("\n")
    );
    expect(m.err()).toMatch(/^monitoring tcp:\/\/127\.0\.0\.1:\d+ \(cells thermo\); Ctrl-C leaves\n$/);
  }, 30000);

  it("shows frames in hex without a schema", async () => {
    const port = await boardPeer(SCRIPT.slice(0, 3));
    const m = monitor(["--port", `tcp://127.0.0.1:${port}`]);
    await waitFor("the console line after the frame", () => m.out().includes("read: 21.5 C"));
    m.child.kill("SIGINT");
    expect(await m.done).toBe(0);
    expect(m.out()).toContain(
      `⟨frame 0x${Thermo.id.toString(16).padStart(8, "0")}.0x${Thermo.info.read.id.toString(16).padStart(8, "0")} req #7 01⟩\n`
    );
  }, 30000);

  it("says so and exits 4 when the port goes away, or cannot be opened", async () => {
    const port = await boardPeer(["bye\n"], true);
    const m = monitor(["--port", `tcp://127.0.0.1:${port}`]);
    expect(await m.done).toBe(4);
    expect(m.out()).toBe("bye\n");
    expect(m.err()).toMatch(/^cell monitor: port tcp:\/\/127\.0\.0\.1:\d+ went away: the other end closed it$/m);
    servers.splice(0).forEach((s) => s.close());
    const refused = monitor(["--port", `tcp://127.0.0.1:${port}`]);
    expect(await refused.done).toBe(4);
    expect(refused.err()).toMatch(/^cell monitor: nothing accepts connections at tcp:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  }, 30000);

  it("refuses --cell without --schema, and a cell the schema does not export", async () => {
    const a = monitor(["--port", "tcp://127.0.0.1:1", "--cell", "thermo"]);
    expect(await a.done).toBe(2);
    expect(a.err()).toMatch(/^cell monitor: --cell needs --schema/);
    const b = monitor(["--port", "tcp://127.0.0.1:1", "--schema", "examples/thermo/schema.ts", "--cell", "nope"]);
    expect(await b.done).toBe(3);
    expect(b.err()).toMatch(/^cell monitor: examples\/thermo\/schema\.ts exports no cell named "nope"/);
  }, 30000);
});
