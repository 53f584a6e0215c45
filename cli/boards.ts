// Board ids as the command line takes them: the names of boards/*.json, checked without loading the build.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BOARDS = fileURLToPath(new URL("../boards/", import.meta.url));

export function boardIds(): string[] {
  return readdirSync(BOARDS)
    .filter((f) => f.endsWith(".json") && f !== "board.schema.json")
    .map((f) => f.slice(0, -5))
    .sort();
}

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
