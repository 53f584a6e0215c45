// The arguments `cell sim` and `cell flash` share, declared once (cheap to load: no build, no QEMU).
import { option, hostPort, type Arg } from "./args";
import { boardId } from "./boards";

export const BUNDLE_ARG: Arg = { name: "bundle", required: true, help: "a cell module (.ts or a folder) or a built bundle (.js)" };

export const SIM_BOARD = option({
  value: "id",
  help: "the simulated board: qemu-mps2-an385 or qemu-mps2-an385-jerryscript",
  required: true,
  parse: boardId
});

/** tcp://host:port, where a simulated board's UART listens. */
export function tcpUrl(text: string): string {
  if (!text.startsWith("tcp://")) throw new Error(`takes tcp://host:port (cell sim prints it), got ${JSON.stringify(text)}`);
  try {
    hostPort(text.slice(6));
  } catch {
    throw new Error(`takes tcp://host:port (cell sim prints it), got ${JSON.stringify(text)}`);
  }
  return text;
}
