// The flash methods, by the `flash.method` a board file names; each loads only when a board needs it,
// so flashing a QEMU board never loads serialport.
import type { FlashMethod } from "./flasher";

export const FLASH_METHODS: Record<string, () => Promise<FlashMethod>> = {
  "cell-loader": () => import("./cell-loader"),
  "espruino-repl": () => import("./espruino-repl"),
  "kaluma-ymodem": () => import("./kaluma-ymodem")
};
