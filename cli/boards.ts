// Board ids as the command line takes them: the names of boards/*.json (firmware/build/board.ts loads no rollup).
import { boardIds } from "../firmware/build/board";

/** Validator of --board: one id of boards/*.json. */
export function boardId(text: string): string {
  const ids = boardIds();
  if (!ids.includes(text)) throw new Error(`takes a board of boards/*.json (${ids.join(", ")}), got ${JSON.stringify(text)}`);
  return text;
}

/** Validator of a --board list: ids separated by commas. */
export function boardList(text: string): string[] {
  return text.split(",").map((id) => boardId(id.trim()));
}
