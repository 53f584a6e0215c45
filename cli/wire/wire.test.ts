import { describe, it, expect, vi, afterEach } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { runCell } from "../testing/run-main";
import { ExitCode } from "../exit-codes";
import { StreamEncoder } from "../../core/stream";
import { encodeHeader, HEADER_SIZE, Kind, CodecId } from "../../core/header";
import { fnv1a32String } from "../../core/fnv";

const cell = runCell;

function frame(kind: number, codec: number, payload: Uint8Array, requestId = 9): Uint8Array {
  const f = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader({ kind, flags: 0, codec, cellId: fnv1a32String("thermo"), methodId: 0x12345678, requestId, length: payload.length }, f, 0);
  f.set(payload, HEADER_SIZE);
  return f;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

afterEach(() => vi.restoreAllMocks());

describe("cell wire decode", () => {
  it("prints the JSON fields of a stream frame with its CRC checked", async () => {
    const f = frame(Kind.Request, CodecId.Json, new TextEncoder().encode('{"unit":"C"}'));
    const r = await cell("wire", "decode", "--json", hex(new StreamEncoder().encode(f)));
    expect(r.code).toBe(ExitCode.Ok);
    const o = JSON.parse(r.out);
    expect(Object.keys(o)).toEqual([
      "magic",
      "version",
      "kind",
      "flags",
      "codec",
      "cellId",
      "methodId",
      "requestId",
      "length",
      "crcOk",
      "payload"
    ]);
    expect(o).toMatchObject({
      magic: 0xce,
      version: 1,
      kind: 0,
      codec: 3,
      cellId: 0x2d2ce39e,
      methodId: 0x12345678,
      requestId: 9,
      length: 12,
      crcOk: true
    });
    expect(o.payload).toBe(hex(f.subarray(HEADER_SIZE)));
  });

  it("reads a bare frame (crcOk null) and shows a self-describing payload", async () => {
    const f = frame(Kind.Response, CodecId.Json, new TextEncoder().encode('{"value":21.5}'));
    const r = await cell("wire", "decode", hex(f));
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.out).toContain("no CRC (bare frame)");
    expect(r.out).toContain('{"value":21.5}');
  });

  it("reads several frames from a serial log with spaces and newlines", async () => {
    const enc = new StreamEncoder();
    const a = hex(enc.encode(frame(Kind.Event, CodecId.Raw, new Uint8Array([1, 2]), 0)));
    const b = hex(enc.encode(frame(Kind.Error, CodecId.Raw, new Uint8Array([2, 0x68, 0x69]))));
    const log = (a + b).replace(/(..)/g, "$1 ").replace(/(.{48})/g, "$1\n");
    const r = await cell("wire", "decode", "--json", log);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.out.split("\n").map((l) => JSON.parse(l).kind)).toEqual([Kind.Event, Kind.Error]);
  });

  it("reports a CRC failure with a reason and a non-zero exit", async () => {
    const s = new StreamEncoder().encode(frame(Kind.Request, CodecId.Raw, new Uint8Array([7])));
    const bad = Uint8Array.from(s);
    bad[bad.length - 3] ^= 0x01;
    const r = await cell("wire", "decode", "--json", hex(bad));
    expect(r.code).toBe(ExitCode.BadInput);
    expect(JSON.parse(r.out).crcOk).toBe(false);
    expect(r.err).toMatch(/CRC mismatch/);
  });

  it.each([
    ["zz", /not hex/],
    ["abc", /odd number/],
    ["ce01", /a header needs 20/],
    ["ab00", /not valid COBS/],
    ["020300", /no room for a CRC/]
  ])("rejects %s with a one-line reason", async (input, reason) => {
    const r = await cell("wire", "decode", input);
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err).toMatch(reason);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it.each([
    ["an empty ERROR payload", Kind.Error, new Uint8Array(0), /ERROR payload is empty/],
    ["an ERROR payload with code 0", Kind.Error, new Uint8Array([0, 0x68, 0x69]), /ERROR payload has code 0/],
    [
      "an ANNOUNCE shorter than its fixed part",
      Kind.Announce,
      new Uint8Array([1, 2, 3]),
      /ANNOUNCE payload has 3 bytes; it needs at least 9/
    ],
    [
      "an ANNOUNCE that ends inside a cell",
      Kind.Announce,
      new Uint8Array([0, 0, 0, 1, 0, 0, 0x0b, 0xb8, 1, 0x2d, 0x2c]),
      /ANNOUNCE says 1 cells but ends inside cell 1/
    ],
    [
      "an ANNOUNCE whose cell id is not its name's hash",
      Kind.Announce,
      new Uint8Array([0, 0, 0, 1, 0, 0, 0x0b, 0xb8, 1, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0x78]),
      /id 0x00000001 is not the hash of "x"/
    ]
  ])("refuses %s (exit 3 with the reason)", async (_what, kind, payload, reason) => {
    const f = frame(kind, CodecId.Raw, payload, 0);
    for (const input of [hex(f), hex(new StreamEncoder().encode(f))]) {
      const r = await cell("wire", "decode", input);
      expect(r.code).toBe(ExitCode.BadInput);
      expect(r.err).toMatch(reason);
      expect(r.err.split("\n")).toHaveLength(1);
    }
  });

  it("reports a bare frame with bad magic that happens to end in 00 as bad magic, not as bad COBS", async () => {
    const f = frame(Kind.Request, CodecId.Raw, new Uint8Array([1, 0]));
    f[0] = 0xcf;
    const r = await cell("wire", "decode", hex(f));
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err).toBe("cell wire decode: frame 1: bad magic 0xcf (want 0xce)");
  });

  it("prints an f32 in a COMPACT payload as the shortest text that reads back as the same f32", async () => {
    const e = await cell(
      "wire",
      "encode",
      "--schema",
      "cli/wire/fixtures/thermo.ts",
      "--kind",
      "response",
      "--cell",
      "thermo",
      "--method",
      "read",
      "--codec",
      "compact",
      "--value",
      '{"value":21.6,"unit":"C"}'
    );
    const d = await cell("wire", "decode", "--schema", "cli/wire/fixtures/thermo.ts", e.out);
    expect(d.code).toBe(ExitCode.Ok);
    expect(d.out).toContain('{"value":21.6,"unit":"C"}');
  });

  it("names a length that disagrees with the bytes", async () => {
    const f = frame(Kind.Request, CodecId.Raw, new Uint8Array([1, 2, 3]));
    const r = await cell("wire", "decode", "--bare", hex(f.subarray(0, f.length - 1)));
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err).toMatch(/length field says 3 payload bytes, 2 arrived/);
  });
});

describe("cell wire encode", () => {
  it("builds a stream frame that decode reads back, names resolved through a schema module", async () => {
    const e = await cell(
      "wire",
      "encode",
      "--schema",
      "cli/wire/fixtures/thermo.ts",
      "--kind",
      "request",
      "--cell",
      "thermo",
      "--method",
      "read",
      "--request-id",
      "5",
      "--codec",
      "compact",
      "--value",
      '{"unit":"F"}'
    );
    expect(e.code).toBe(ExitCode.Ok);
    const d = await cell("wire", "decode", "--schema", "cli/wire/fixtures/thermo.ts", e.out);
    expect(d.code).toBe(ExitCode.Ok);
    expect(d.out).toMatch(/cell +0x2d2ce39e +thermo/);
    expect(d.out).toMatch(/method +0x[0-9a-f]{8} +read/);
    expect(d.out).toContain('{"unit":"F"}');
  });

  it("builds an ERROR frame whose payload names the code", async () => {
    const e = await cell(
      "wire",
      "encode",
      "--bare",
      "--kind",
      "error",
      "--cell",
      "thermo",
      "--method",
      "7",
      "--error",
      "UnknownMethod:no such method"
    );
    const d = await cell("wire", "decode", e.out);
    expect(d.out).toContain('"codeName":"UnknownMethod"');
    expect(d.out).toContain("no such method");
  });

  it("refuses a field the schema does not have, and values that are not what the option takes", async () => {
    const e = await cell(
      "wire",
      "encode",
      "--schema",
      "cli/wire/fixtures/thermo.ts",
      "--cell",
      "thermo",
      "--method",
      "read",
      "--codec",
      "compact",
      "--value",
      '{"unit":"C","unti":"F"}'
    );
    expect([e.code, e.err]).toEqual([ExitCode.BadInput, 'cell wire encode: --value does not fit the schema: unknown field "unti" at unti']);
    for (const [flag, value, says] of [
      ["--value", "{unit:", /--value takes JSON/],
      ["--payload", "zz", /--payload takes hex bytes/],
      ["--error", "Nope:x", /--error takes <code>:<message>/]
    ] as const) {
      const r = await cell("wire", "encode", "--cell", "thermo", flag, value);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.err).toMatch(says);
    }
  });

  it("refuses a value that does not fit the schema", async () => {
    const e = await cell(
      "wire",
      "encode",
      "--schema",
      "cli/wire/fixtures/thermo.ts",
      "--cell",
      "thermo",
      "--method",
      "read",
      "--codec",
      "compact",
      "--value",
      '{"unit":"K"}'
    );
    expect(e.code).toBe(ExitCode.BadInput);
    expect(e.err).toMatch(/does not fit the schema/);
  });
});

describe("the cell binary", () => {
  it("exits with the named code and a one-line reason", () => {
    const r = spawnSync(process.execPath, ["cli/bin/cell.mjs", "wire", "decode", "xyz"], { encoding: "utf8" });
    expect(r.status).toBe(ExitCode.BadInput);
    expect(r.stderr.trim()).toBe('cell wire decode: not hex: "x" at character 1');
    expect(execFileSync(process.execPath, ["cli/bin/cell.mjs", "--help"], { encoding: "utf8" })).toMatch(/wire/);
  });
});
