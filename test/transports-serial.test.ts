// Serial links: reconnect with backoff over tcp:// (a server that drops and returns), clear errors for
// a missing or busy port, and a real pseudo-terminal opened through `serialport`.
import { describe, it, expect } from "vitest";
import { createServer, Server, Socket, AddressInfo } from "node:net";
import { serial, pty } from "../transports/index";
import { streamLink } from "../core/stream-link";
import { serve, remote } from "../core/host";
import { cell, method, t } from "../core/schema";
import { ErrorCode } from "../core/errors";
import type { BytePort } from "../core/byte-port";
import { waitFor } from "./wait-for";

const Calc = cell("calc", { add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32) });

function socketPort(sock: Socket): BytePort {
  return {
    write: (b) => void sock.write(Buffer.from(b)),
    onData: (cb) => void sock.on("data", cb),
    onClose: (cb) => void sock.on("close", cb),
    close: () => void sock.destroy()
  };
}

/** A TCP "device": each accepted connection serves Calc over stream framing. */
function deviceServer(port = 0): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((sock) => {
    sockets.push(sock);
    serve(Calc, { add: (r) => r.a + r.b }, streamLink(socketPort(sock)));
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port, sockets }))
  );
}

describe("serial over tcp://", () => {
  it("reconnects with backoff when the port goes away and comes back", async () => {
    const dev = await deviceServer();
    const link = await serial(`tcp://127.0.0.1:${dev.port}`, { reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
    const statuses: boolean[] = [];
    const errors: string[] = [];
    link.onStatus((up) => statuses.push(up));
    link.onError((e) => errors.push(e.message));
    let closed = false;
    link.onClose(() => (closed = true));
    const calc = remote(Calc, link, { timeoutMs: 2000 });
    expect(await calc.add({ a: 1, b: 2 })).toBe(3);

    // The device disappears: the listening socket closes too, so the first attempts are refused.
    const closing = new Promise((r) => dev.server.close(r));
    for (const s of dev.sockets) s.destroy();
    await closing;
    await waitFor("loss", () => !link.connected);
    expect(statuses).toEqual([false]);
    expect(errors[0]).toMatch(/went away.*reconnecting/);
    await expect(calc.add({ a: 1, b: 1 })).rejects.toMatchObject({ code: ErrorCode.Unreachable });
    await new Promise((r) => setTimeout(r, 150)); // a few refused attempts

    const back = await deviceServer(dev.port);
    await waitFor("reconnect", () => link.connected, 3000);
    expect(statuses).toEqual([false, true]);
    expect(await calc.add({ a: 20, b: 22 })).toBe(42);
    expect(closed).toBe(false);
    expect(link.stats.drops).toEqual({});
    link.close();
    expect(closed).toBe(true);
    for (const s of back.sockets) s.destroy();
    await new Promise((r) => back.server.close(r));
  });

  it("with reconnect off, the link closes when the port goes away", async () => {
    const dev = await deviceServer();
    const link = await serial(`tcp://127.0.0.1:${dev.port}`, { reconnect: false });
    let closed = false;
    link.onClose(() => (closed = true));
    for (const s of dev.sockets) s.destroy();
    await new Promise((r) => dev.server.close(r));
    await waitFor("close", () => closed);
    expect(() => link.send(new Uint8Array(24))).toThrow(expect.objectContaining({ code: ErrorCode.LinkClosed }));
  });

  it("says plainly when nothing listens, and rejects malformed tcp:// paths", async () => {
    const dev = await deviceServer();
    const port = dev.port;
    await new Promise((r) => dev.server.close(r));
    await expect(serial(`tcp://127.0.0.1:${port}`)).rejects.toThrow(
      /nothing accepts connections at tcp:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/
    );
    await expect(serial("tcp://127.0.0.1")).rejects.toThrow(/is not tcp:\/\/host:port/);
  });
});

describe("serial port through serialport, on a pseudo-terminal", () => {
  it("serves a device cell over a real pty, and says when the port is busy or missing", async () => {
    const device = await pty();
    expect(device.path).toMatch(/^\/dev\/pts\/\d+$/);
    serve(Calc, { add: (r) => r.a + r.b }, streamLink(device.port));
    const link = await serial(device.path, { baudRate: 115200, reconnect: false });
    const calc = remote(Calc, link, { timeoutMs: 3000 });
    expect(await calc.add({ a: 5, b: 6 })).toBe(11);
    const sums = await Promise.all(Array.from({ length: 100 }, (_, i) => calc.add({ a: i, b: i })));
    expect(sums).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i));

    await expect(serial(device.path)).rejects.toThrow(`serial port ${device.path} is busy: another program has it open`);
    await expect(serial("/dev/cell-no-such-tty")).rejects.toThrow("serial port /dev/cell-no-such-tty does not exist");

    let closed = false;
    link.onClose(() => (closed = true));
    device.close(); // the pty goes away: with reconnect off, the link closes
    await waitFor("close after the pty went away", () => closed);
  });
});
