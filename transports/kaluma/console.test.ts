// The REPL side of a Kaluma flash: answers told apart from the REPL's echo and prompt redraws (which
// hold a "C"), and the hand-over to a YMODEM sender right after the `.flash -w` banner.
import { describe, expect, it } from "vitest";
import { KalumaConsole, KalumaReplError, YMODEM_BANNER } from "./console";

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const PROMPT = "\x1b[0m\r\x1b7> \x1b[H\x1b[900C\x1b[6n\x1b8\x1b[2C"; // repl.c km_repl_print_prompt

describe("KalumaConsole", () => {
  it("evaluates an expression: the echo of the line never matches, Kaluma's printed string does", async () => {
    const sent: string[] = [];
    const con = new KalumaConsole((b) => sent.push(Buffer.from(b).toString("latin1")));
    const answer = con.evaluate("board.name", 1000);
    expect(sent).toEqual(['"<<"+(board.name)+">>"\r']);
    con.feed(bytes('"<<"+(board.name)+">>"\r\n')); // the echo alone
    let value: string | null = null;
    void answer.then((v) => (value = v));
    await new Promise((r) => setTimeout(r, 10));
    expect(value).toBeNull();
    con.feed(bytes("\x1b[93m'<<pico>>'\x1b[0m\r\n" + PROMPT));
    expect(await answer).toBe("pico");
  });

  it("rejects with what the board printed, escape sequences removed, when no answer comes", async () => {
    const con = new KalumaConsole(() => {});
    con.feed(bytes("\x1b[31mReferenceError: board is not defined\x1b[0m\r\n" + PROMPT));
    const e = await con.evaluate("board.name", 50).catch((x) => x);
    expect(e).toBeInstanceOf(KalumaReplError);
    expect(e.output).toBe("ReferenceError: board is not defined\r\n\r> ");
    expect(con.errorSince(0)).toBe("ReferenceError: board is not defined");
  });

  it("hands the bytes after the banner to the sender, and what it does not use back to the text", async () => {
    const con = new KalumaConsole(() => {});
    const from = con.mark;
    con.feed(bytes(".flash -w\r\nTransfer a file via YMODEM... (press 'a' to abort)\r\nC"));
    const banner = await con.waitFor(YMODEM_BANNER, from, 1000, "banner");
    const got: number[] = [];
    let stopAt = -1;
    con.divert(banner.end, (b) => {
      for (let i = 0; i < b.length; i++) {
        if (got.length === stopAt) return i;
        got.push(b[i]);
      }
      return b.length;
    });
    expect(got).toEqual([0x43]); // the "C" that came with the banner
    stopAt = 3;
    con.feed(bytes("\x06\x06\r\nDone\r\n"));
    expect(got).toEqual([0x43, 0x06, 0x06]);
    const done = await con.waitFor(/Done\r\n/, banner.end, 1000, "done");
    expect(done.match[0]).toBe("Done\r\n");
  });
});
