// The byte stream to a Kaluma board's REPL: its USB serial port (serialport, loaded only here) or a
// tcp://host:port bridge. A port that goes away turns every wait into one clear error (exit 5).
import { CliError, ExitCode } from "../exit-codes";
import type { Medium } from "../../transports/medium";

export interface KalumaPort {
  write(bytes: Uint8Array): void;
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Set once the port went away (closed by the far end, unplugged). */
  readonly lost: CliError | null;
  /** `p`, or a rejection as soon as the port goes away. */
  race<T>(p: Promise<T>): Promise<T>;
  close(): void;
}

export async function openKalumaPort(url: string, baud: number): Promise<KalumaPort> {
  let dataCb: ((b: Uint8Array) => void) | null = null;
  let lost: CliError | null = null;
  let closedByUs = false;
  const lostWaiters: ((e: CliError) => void)[] = [];
  const events = {
    data: (b: Uint8Array) => dataCb && dataCb(b),
    lost: (err: Error | null) => {
      if (closedByUs || lost) return;
      lost = new CliError(`the board at ${url} went away (${err ? err.message : "the port closed"})`, ExitCode.TimedOut);
      for (const w of lostWaiters.splice(0)) w(lost);
    }
  };
  let medium: Medium;
  try {
    if (url.startsWith("tcp://")) {
      const { parseTcpUrl } = await import("../../sim/tcp-port");
      const { tcpMedium } = await import("../../transports/tcp-medium");
      const addr = parseTcpUrl(url);
      medium = await tcpMedium(addr.host, addr.port, 5000)(events);
    } else {
      const { serialPortMedium } = await import("../../transports/serialport-medium");
      medium = await serialPortMedium(url, baud)(events);
    }
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.Unavailable, { cause: e });
  }
  return {
    write: (b) => {
      if (!lost) medium.write(b);
    },
    onData: (cb) => {
      dataCb = cb;
    },
    get lost() {
      return lost;
    },
    race<T>(p: Promise<T>): Promise<T> {
      if (lost) return Promise.reject(lost);
      return new Promise<T>((resolve, reject) => {
        lostWaiters.push(reject);
        p.then(resolve, reject);
      });
    },
    close: () => {
      closedByUs = true;
      medium.close();
    }
  };
}
