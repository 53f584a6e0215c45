// An opened byte medium (a TCP socket, a serial port) as the reconnecting port sees it.

export interface Medium {
  /** Writes bytes; copies them first, as the caller reuses its buffer. */
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface MediumEvents {
  data(bytes: Uint8Array): void;
  /** The medium went away (unplugged, peer closed, I/O error); `err` says why when known. Called once. */
  lost(err: Error | null): void;
}

/** Opens the medium, or rejects with an Error whose message says plainly what is wrong (missing, busy, refused). */
export type OpenMedium = (events: MediumEvents) => Promise<Medium>;
