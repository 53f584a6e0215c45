// A byte stream over TCP: QEMU's `-serial tcp:...`, ser2net, or any serial-to-network bridge.
import { connect, Socket } from "node:net";
import type { Medium, MediumEvents, OpenMedium } from "./medium";

function describeConnectError(target: string, err: NodeJS.ErrnoException): string {
  if (err.code === "ECONNREFUSED") return `nothing accepts connections at ${target} (ECONNREFUSED): is the emulator or ser2net running?`;
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return `cannot resolve the host of ${target} (${err.code})`;
  return `cannot connect to ${target}: ${err.message}`;
}

/** Opens `host:port` with a connect timeout; the socket's close after that is reported as `lost`. */
export function tcpMedium(host: string, port: number, connectTimeoutMs: number): OpenMedium {
  const target = `tcp://${host}:${port}`;
  return (events: MediumEvents) =>
    new Promise<Medium>((resolve, reject) => {
      const socket: Socket = connect({ host, port });
      let open = false;
      let lastError: Error | null = null;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot connect to ${target}: no answer within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        open = true;
        socket.setNoDelay(true);
        resolve({
          write: (bytes) => {
            socket.write(Buffer.from(bytes)); // copied: the socket writes later and the caller reuses its buffer
          },
          close: () => socket.destroy()
        });
      });
      socket.on("data", (chunk: Buffer) => events.data(chunk));
      socket.on("error", (err: NodeJS.ErrnoException) => {
        if (!open) {
          clearTimeout(timer);
          reject(new Error(describeConnectError(target, err), { cause: err }));
        } else lastError = err;
      });
      socket.on("close", () => {
        if (open) events.lost(lastError);
      });
    });
}
