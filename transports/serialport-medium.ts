// A serial device (or a pseudo-terminal) through the `serialport` package, loaded only when used.
import type { SerialPort as SerialPortClass } from "serialport";
import type { Medium, MediumEvents, OpenMedium } from "./medium";
import { loadOptional } from "./optional";

type SerialPortModule = { SerialPort: typeof SerialPortClass };

/** serialport's messages are terse ("Cannot lock port"): say what it means and what to do. */
export function describeOpenError(path: string, err: Error): string {
  const m = err.message;
  if (/No such file|ENOENT/i.test(m)) return `serial port ${path} does not exist (is the device plugged in? the path right?)`;
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|busy/i.test(m))
    return `serial port ${path} is busy: another program has it open`;
  if (/Permission denied|EACCES/i.test(m))
    return `no permission to open serial port ${path} (on Linux, add the user to the "dialout" group)`;
  return `cannot open serial port ${path}: ${m}`;
}

export function serialPortMedium(path: string, baudRate: number): OpenMedium {
  return async (events: MediumEvents) => {
    const { SerialPort } = await loadOptional<SerialPortModule>("serialport", "serial");
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(new Error(describeOpenError(path, err), { cause: err })) : resolve()));
    });
    let lastError: Error | null = null;
    let gone = false;
    const lost = () => {
      if (gone) return;
      gone = true;
      events.lost(lastError);
    };
    port.on("data", (chunk: Buffer) => events.data(chunk));
    port.on("error", (err: Error) => {
      lastError = err;
    });
    port.on("close", (err?: Error | null) => {
      if (err) lastError = err;
      lost();
    });
    return {
      write: (bytes) => {
        port.write(Buffer.from(bytes)); // copied: written later, and the caller reuses its buffer
      },
      close: () => {
        gone = true; // a close we asked for is not a loss
        if (port.isOpen) port.close();
      }
    } satisfies Medium;
  };
}
