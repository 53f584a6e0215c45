// `--can` specs as the bridge takes them.
import { describe, it, expect } from "vitest";
import { parseCanSpec } from "./open";

describe("--can specs", () => {
  it("reads slcan and socketcan specs with their options", () => {
    expect(parseCanSpec("slcan:/dev/ttyACM0:500000?node=3")).toMatchObject({
      kind: "slcan",
      where: "/dev/ttyACM0",
      bitrate: 500000,
      nodeGiven: true,
      link: { node: 3, ids: "11-bit" }
    });
    expect(parseCanSpec("slcan:/dev/ttyACM0")).toMatchObject({
      kind: "slcan",
      where: "/dev/ttyACM0",
      bitrate: undefined,
      nodeGiven: false
    });
    expect(parseCanSpec("slcan:tcp://127.0.0.1:7000:1000000?node=1")).toMatchObject({ where: "tcp://127.0.0.1:7000", bitrate: 1000000 });
    expect(parseCanSpec("slcan:tcp://127.0.0.1:7000")).toMatchObject({ where: "tcp://127.0.0.1:7000", bitrate: undefined });
    expect(parseCanSpec("socketcan:can0?node=200&ids=29&fd&bs=4&stmin=2&maxFrame=4096")).toMatchObject({
      kind: "socketcan",
      where: "can0",
      link: { node: 200, ids: "29-bit", fd: true, blockSize: 4, stMinMs: 2, maxFrame: 4096 }
    });
    const random = parseCanSpec("socketcan:can0").link.node;
    expect(random >= 0 && random <= 14).toBe(true);
  });

  it("refuses bad specs plainly", () => {
    expect(() => parseCanSpec("can0")).toThrow(
      '--can: "can0" is not slcan:PATH[:BITRATE] or socketcan:IFACE (e.g. slcan:/dev/ttyACM0:500000, socketcan:can0)'
    );
    expect(() => parseCanSpec("slcan:/dev/x?node=15")).toThrow('--can: node must be a whole number 0..14, got "15"');
    expect(() => parseCanSpec("socketcan:can0?ids=12")).toThrow('--can: ids must be 11 or 29, got "12"');
  });
});
