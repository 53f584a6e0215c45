// A NUS connection as a byte medium for the reconnecting port and stream framing: writes are cut into
// mtu − 3 byte chunks and sent one at a time (each waits for the stack: write-without-response flow
// control), with a bounded queue; notifications are stream bytes, cut anywhere.
import { CellError, ErrorCode } from "../../core/errors";
import type { Medium, MediumEvents, OpenMedium } from "../medium";
import type { ConnectNus, NusSession } from "./session";

/** ATT header of a write or notification: opcode and handle. */
export const ATT_OVERHEAD = 3;

export function nusMedium(connect: ConnectNus, mtu: number, maxQueuedBytes: number): OpenMedium {
  return async (events: MediumEvents): Promise<Medium> => {
    const session: NusSession = await connect(mtu);
    const chunkSize = session.mtu - ATT_OVERHEAD;
    const queue: Uint8Array[] = [];
    let queued = 0;
    let writing = false;
    let gone = false;
    const lost = (err: Error) => {
      if (gone) return;
      gone = true;
      queue.length = 0;
      events.lost(err);
    };
    const pump = (): void => {
      if (writing || gone || queue.length === 0) return;
      const chunk = queue.shift()!;
      queued -= chunk.length;
      writing = true;
      session.write(chunk).then(
        () => {
          writing = false;
          pump();
        },
        (err: Error) => {
          writing = false;
          lost(new Error(`write to ${session.name} failed: ${err.message}`, { cause: err }));
        }
      );
    };
    session.onNotify((bytes) => !gone && events.data(bytes));
    session.onDisconnect((reason) => lost(new Error(`${session.name} disconnected${reason ? ` (${reason})` : ""}`)));
    return {
      write(bytes) {
        if (queued + bytes.length > maxQueuedBytes)
          throw new CellError(ErrorCode.Overloaded, `ble: ${queued} bytes already wait for ${session.name}`);
        for (let at = 0; at < bytes.length; at += chunkSize) {
          const chunk = bytes.slice(at, at + chunkSize); // copied: the caller reuses its buffer
          queue.push(chunk);
          queued += chunk.length;
        }
        pump();
      },
      close() {
        gone = true;
        queue.length = 0;
        session.disconnect();
      }
    };
  };
}
