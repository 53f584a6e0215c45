// esptool-js talks to a browser's Web Serial port (open, readable/writable streams, setSignals). This
// is that port over what Node has: the `serialport` package (loaded only when used) for a serial
// device, or a TCP socket for tcp://host:port (ser2net, an emulator's UART).
import { connect, Socket } from "node:net";
import type { SerialPort as NodeSerialPort } from "serialport";
import { loadOptional } from "../../transports/optional";
import { describeOpenError } from "../../transports/serialport-medium";

/** A byte stream that can be opened again after close (esptool-js reopens on a retry). */
export interface RawPort {
  open(baud: number, onData: (bytes: Uint8Array) => void, onClose: () => void): Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
  /** DTR/RTS; throws where the port has no modem lines (a pty, a socket). */
  setLines(dtr: boolean | undefined, rts: boolean | undefined): Promise<void>;
  setBaud(baud: number): Promise<void>;
  close(): Promise<void>;
}

/** The part of the Web Serial SerialPort that esptool-js's Transport uses. */
export class WebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  /** The port closed without us asking (unplugged, the peer went away). */
  lost = false;
  /** DTR/RTS could not be driven (a pty or socket): the board must be put in its bootloader by hand. */
  noModemLines = false;
  private open_ = false;

  constructor(private readonly raw: RawPort) {}

  async open(o: { baudRate: number }): Promise<void> {
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const readable = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
    await this.raw.open(
      o.baudRate,
      (bytes) => ctl.enqueue(bytes),
      () => {
        if (this.open_) this.lost = true;
        this.open_ = false;
        try {
          ctl.close();
        } catch {
          // already cancelled by the reader
        }
      }
    );
    this.open_ = true;
    this.readable = readable; // only now: no readable means the port never opened
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => this.raw.write(chunk) });
  }

  async close(): Promise<void> {
    this.open_ = false;
    this.readable = null;
    this.writable = null;
    await this.raw.close();
  }

  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean }): Promise<void> {
    if (this.noModemLines) return;
    try {
      await this.raw.setLines(s.dataTerminalReady, s.requestToSend);
    } catch {
      this.noModemLines = true;
    }
  }

  /** Changes the rate in place (esptool-js prefers this to closing and reopening the port). */
  setBaudRate(baud: number): Promise<void> {
    return this.raw.setBaud(baud);
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return {};
  }
}

type SerialPortModule = { SerialPort: typeof NodeSerialPort };

export function serialRawPort(path: string): RawPort {
  let port: NodeSerialPort | null = null;
  const call = (fn: (cb: (err: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
  return {
    async open(baud, onData, onClose) {
      const { SerialPort } = await loadOptional<SerialPortModule>("serialport", "serial");
      const p = new SerialPort({ path, baudRate: baud, autoOpen: false, lock: true });
      await call((cb) => p.open(cb)).catch((err: Error) => {
        throw new Error(describeOpenError(path, err), { cause: err });
      });
      p.on("data", (chunk: Buffer) => onData(new Uint8Array(chunk)));
      p.on("close", onClose);
      p.on("error", () => {}); // a failing port also closes: reported there
      port = p;
    },
    async write(bytes) {
      const p = port;
      if (!p || !p.isOpen) throw new Error(`serial port ${path} is closed`);
      p.write(Buffer.from(bytes));
      await call((cb) => p.drain(cb));
    },
    setLines: (dtr, rts) => call((cb) => port!.set({ dtr, rts }, cb)),
    setBaud: (baud) => call((cb) => port!.update({ baudRate: baud }, cb)),
    async close() {
      const p = port;
      port = null;
      if (p && p.isOpen) await call((cb) => p.close(cb)).catch(() => {});
    }
  };
}

/** tcp://host:port: a serial-to-network bridge; it has no modem lines and its own rate. */
export function tcpRawPort(host: string, portNumber: number, connectTimeoutMs = 5000): RawPort {
  let socket: Socket | null = null;
  return {
    open(_baud, onData, onClose) {
      return new Promise((resolve, reject) => {
        const s = connect({ host, port: portNumber });
        const timer = setTimeout(() => {
          s.destroy();
          reject(new Error(`nothing answers at tcp://${host}:${portNumber} within ${connectTimeoutMs} ms`));
        }, connectTimeoutMs);
        s.once("connect", () => {
          clearTimeout(timer);
          s.setNoDelay(true);
          socket = s;
          resolve();
        });
        s.on("error", (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (!socket) reject(new Error(`nothing accepts connections at tcp://${host}:${portNumber} (${err.code ?? err.message})`));
        });
        s.on("data", (chunk: Buffer) => onData(new Uint8Array(chunk)));
        s.on("close", onClose);
      });
    },
    write(bytes) {
      const s = socket;
      if (!s || s.destroyed) return Promise.reject(new Error(`tcp://${host}:${portNumber} is closed`));
      return new Promise((resolve, reject) => s.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve())));
    },
    setLines: () => Promise.reject(new Error("a TCP bridge has no modem lines")),
    setBaud: () => Promise.resolve(), // the bridge sets the UART's rate, not us
    async close() {
      socket?.destroy();
      socket = null;
    }
  };
}
