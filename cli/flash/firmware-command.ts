// `cell flash --board B --port P --firmware F`: the board's engine firmware instead of a bundle. Only
// boards whose firmware installs with esptool (esp32) take it; the others name their own way.
import { CliError, ExitCode } from "../exit-codes";

export async function flashFirmwareCommand(
  boardId: string,
  port: string,
  firmware: string,
  o: { force?: boolean; json?: boolean; timeout?: number }
): Promise<number> {
  const { loadBoard } = await import("../../firmware/build/board");
  const board = loadBoard(boardId);
  const install = board.flash.firmwareInstall;
  if (install?.tool !== "esptool") {
    const how = install ? `: ${install.command}` : "";
    throw new CliError(
      `cell flash --firmware writes ESP32 firmware only; ${board.id}'s firmware installs another way${how}`,
      ExitCode.Unavailable
    );
  }
  const { checkFirmwarePort, flashFirmware } = await import("./esptool");
  await checkFirmwarePort(port, board);
  const { createProgress, progressMode } = await import("./progress");
  const progress = createProgress(progressMode(Boolean(o.json)));
  let report;
  try {
    report = await flashFirmware({ board, port, firmware, force: Boolean(o.force), progress, timeoutMs: o.timeout });
  } finally {
    progress.end();
  }
  if (o.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `flashed ${report.bytes} bytes (${report.compressedBytes} compressed) to the ${report.chip} at ${port} in ${report.ms} ms (${report.bytesPerSecond} B/s at ${report.baud} baud); ${report.verified}`
    );
    for (const line of report.running) console.log(line);
  }
  return ExitCode.Ok;
}
