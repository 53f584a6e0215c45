// Real-socket helpers for the test/bridge-*.test.ts files: a board behind TCP and Debian's nats-server.
import { createServer, Socket, AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import { streamLink } from "../core/stream-link";
import { device, Device, until } from "./bridge-fixtures";

/** A board behind a TCP socket (what QEMU's `-serial tcp:` or ser2net offer): serves and announces Thermo over stream framing. */
export async function tcpBoard(
  instanceId: number,
  ttlMs = 3000
): Promise<{ port: number; device: () => Device | null; drop: () => void; close: () => Promise<void> }> {
  let current: Device | null = null;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let onData: ((b: Uint8Array) => void) | null = null;
    let onClose: (() => void) | null = null;
    socket.on("data", (b) => onData && onData(b));
    socket.on("close", () => (sockets.delete(socket), onClose && onClose()));
    socket.on("error", () => {});
    const link = streamLink(
      {
        write: (bytes) => void socket.write(Buffer.from(bytes)),
        onData: (cb) => (onData = cb),
        onClose: (cb) => (onClose = cb),
        close: () => socket.destroy()
      },
      { maxFrame: 1044 }
    );
    current = device(link, instanceId, ttlMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    device: () => current,
    /** Cuts the connection (a cable pulled); the board accepts the next one as a fresh start. */
    drop: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      current?.announcer.stop();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}

/** A free TCP port on loopback (bound and released; fine for a test's own server). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Debian's nats-server on a free loopback port; `stop` kills it by its PID. */
export async function natsServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await until(() => out.includes("Server is ready") || child.exitCode !== null, 10000, "nats-server to start");
  } catch (e) {
    process.kill(child.pid!, "SIGKILL");
    throw e;
  }
  if (child.exitCode !== null) throw new Error("nats-server exited: " + out);
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) process.kill(child.pid!, "SIGTERM");
      await exited;
    }
  };
}
