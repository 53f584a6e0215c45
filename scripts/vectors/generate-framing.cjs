// One-off generator of spec/vectors from INDEPENDENT code: Node's zlib.crc32, the `cobs` npm package,
// Buffer.writeUInt32LE, and a BigInt FNV-1a. Does not import anything from core/.
const zlib = require("zlib");
const cobs = require("cobs");
const fs = require("fs");
const out = require("path").join(__dirname, "../../spec/vectors/");
const hex = (b) => Buffer.from(b).toString("hex");
const u32hex = (n) => "0x" + (n >>> 0).toString(16).padStart(8, "0");

function fnv(str) {
  let h = 0x811c9dc5n;
  for (const b of Buffer.from(str, "utf8")) {
    h ^= BigInt(b);
    h = (h * 0x01000193n) % 0x100000000n;
  }
  return Number(h);
}

// ---------- crc32.json
const crcInputs = [
  ["check value", Buffer.from("123456789")],
  ["empty", Buffer.alloc(0)],
  ["one zero byte", Buffer.from([0])],
  ["a", Buffer.from("a")],
  ["fox", Buffer.from("The quick brown fox jumps over the lazy dog")],
  ["all byte values 00..ff", Buffer.from([...Array(256).keys()])],
  ["32 zero bytes", Buffer.alloc(32)],
  ["32 ff bytes", Buffer.alloc(32, 0xff)],
  ["header of a thermo request", null]
];
// ---------- header
const Kind = { Request: 0, Response: 1, Error: 2, Event: 3, Cancel: 4, Announce: 5 };
function header(f, magic = 0xce, version = 1) {
  const b = Buffer.alloc(20);
  b[0] = magic;
  b[1] = version;
  b[2] = (f.kind & 15) | ((f.flags || 0) << 4);
  b[3] = f.codec;
  b.writeUInt32LE(f.cellId >>> 0, 4);
  b.writeUInt32LE(f.methodId >>> 0, 8);
  b.writeUInt32LE(f.requestId >>> 0, 12);
  b.writeUInt32LE(f.length >>> 0, 16);
  return b;
}
const thermo = fnv("thermo");
const readSig = "read({unit:enum<C|F>})->{value:f32,unit:enum<C|F>}";
const alarmSig = "event alarm({value:f32})";
const readId = fnv(readSig),
  alarmId = fnv(alarmSig);
crcInputs[8][1] = header({ kind: 0, codec: 1, cellId: thermo, methodId: readId, requestId: 1, length: 0 });

fs.writeFileSync(
  out + "crc32.json",
  JSON.stringify(
    {
      description:
        "CRC-32/ISO-HDLC (zlib): reflected poly 0xEDB88320, init 0xFFFFFFFF, xorout 0xFFFFFFFF. crc is the unsigned value as 0x-hex.",
      cases: crcInputs.map(([name, b]) => ({ name, input: hex(b), crc: u32hex(zlib.crc32(b)) }))
    },
    null,
    2
  ) + "\n"
);

// ---------- header.json
const valid = [
  ["thermo read request, msgpack", { kind: Kind.Request, flags: 0, codec: 1, cellId: thermo, methodId: readId, requestId: 1, length: 9 }],
  ["response, compact", { kind: Kind.Response, flags: 0, codec: 2, cellId: thermo, methodId: readId, requestId: 1, length: 5 }],
  ["error, raw", { kind: Kind.Error, flags: 0, codec: 0, cellId: thermo, methodId: readId, requestId: 0xfffffffe, length: 12 }],
  ["event", { kind: Kind.Event, flags: 0, codec: 1, cellId: thermo, methodId: alarmId, requestId: 0, length: 6 }],
  ["cancel", { kind: Kind.Cancel, flags: 0, codec: 0, cellId: thermo, methodId: readId, requestId: 7, length: 0 }],
  ["announce", { kind: Kind.Announce, flags: 0, codec: 0, cellId: 0, methodId: 0, requestId: 0, length: 24 }],
  ["describe request", { kind: Kind.Request, flags: 0, codec: 0, cellId: thermo, methodId: 0, requestId: 0x12345678, length: 0 }],
  [
    "all u32 fields at maximum",
    { kind: Kind.Request, flags: 0, codec: 3, cellId: 0xffffffff, methodId: 0xffffffff, requestId: 0xffffffff, length: 1024 }
  ]
].map(([name, f]) => ({ name, fields: f, hex: hex(header(f)) }));
const flagged = { kind: Kind.Request, flags: 0xa, codec: 1, cellId: thermo, methodId: readId, requestId: 2, length: 0 };
const decodeOnly = [{ name: "reserved flags set: receivers read them and accept the frame", fields: flagged, frame: hex(header(flagged)) }];
const pay = (n) => Buffer.from([...Array(n).keys()].map((i) => (i * 7 + 1) & 255));
const base = { kind: 0, flags: 0, codec: 1, cellId: thermo, methodId: readId, requestId: 1, length: 4 };
const invalid = [
  ["19 bytes: shorter than a header", header(base).subarray(0, 19), "TooShort"],
  ["empty", Buffer.alloc(0), "TooShort"],
  ["magic 0xcf", Buffer.concat([header(base, 0xcf), pay(4)]), "BadMagic"],
  ["magic 0x00", Buffer.concat([header(base, 0x00), pay(4)]), "BadMagic"],
  ["version 0", Buffer.concat([header(base, 0xce, 0), pay(4)]), "BadVersion"],
  ["version 2", Buffer.concat([header(base, 0xce, 2), pay(4)]), "BadVersion"],
  ["kind 6 (reserved)", Buffer.concat([header({ ...base, kind: 6 }), pay(4)]), "BadKind"],
  ["kind 15 (reserved)", Buffer.concat([header({ ...base, kind: 15 }), pay(4)]), "BadKind"],
  ["length field 5, payload 4", Buffer.concat([header({ ...base, length: 5 }), pay(4)]), "BadLength"],
  ["length field 3, payload 4", Buffer.concat([header({ ...base, length: 3 }), pay(4)]), "BadLength"],
  ["length field 0xffffffff, payload 4", Buffer.concat([header({ ...base, length: 0xffffffff }), pay(4)]), "BadLength"]
].map(([name, b, drop]) => ({ name, frame: hex(b), drop }));
fs.writeFileSync(
  out + "header.json",
  JSON.stringify(
    {
      description:
        "The 20-byte header. valid: fields <-> hex both ways (v1 senders write flags 0). decodeOnly: frames a receiver accepts, with the fields it reads. invalid: frame = header || payload as received (its size is the number of bytes) and the drop reason.",
      valid,
      decodeOnly,
      invalid
    },
    null,
    2
  ) + "\n"
);

// ---------- cobs.json
const range = (a, b) => Buffer.from([...Array(b - a + 1).keys()].map((i) => a + i));
const cobsCases = [
  ["empty", Buffer.alloc(0)],
  ["one zero", Buffer.from([0])],
  ["two zeros", Buffer.from([0, 0])],
  ["zero inside", Buffer.from([0x11, 0x22, 0x00, 0x33])],
  ["no zero", Buffer.from([0x11, 0x22, 0x33, 0x44])],
  ["trailing zeros", Buffer.from([0x11, 0x00, 0x00, 0x00])],
  ["254 non-zero bytes 01..fe", range(1, 254)],
  ["255 bytes 00..fe", range(0, 254)],
  ["255 non-zero bytes 01..ff", range(1, 255)],
  ["255 bytes 02..ff then 00", Buffer.concat([range(2, 255), Buffer.from([0])])],
  ["255 bytes 03..ff 00 01", Buffer.concat([range(3, 255), Buffer.from([0, 1])])],
  ["253 non-zero bytes", Buffer.alloc(253, 0x5a)],
  ["508 non-zero bytes (two full groups)", Buffer.alloc(508, 0xa5)],
  ["509 non-zero bytes", Buffer.alloc(509, 0xa5)],
  ["254 non-zero then zero", Buffer.concat([Buffer.alloc(254, 0x42), Buffer.from([0])])],
  ["zero then 254 non-zero", Buffer.concat([Buffer.from([0]), Buffer.alloc(254, 0x42)])],
  ["all byte values 00..ff", range(0, 255)]
].map(([name, b]) => ({ name, decoded: hex(b), encoded: hex(cobs.encode(b)) }));
const acceptedForms = [
  // The shorter encoding without the closing 0x01 group after a final 0xff group (both decode the same).
  ["254 non-zero bytes, without the closing 01 group", Buffer.concat([Buffer.from([0xff]), range(1, 254)]), range(1, 254)],
  [
    "508 non-zero bytes, without the closing 01 group",
    Buffer.concat([Buffer.from([0xff]), Buffer.alloc(254, 0xa5), Buffer.from([0xff]), Buffer.alloc(254, 0xa5)]),
    Buffer.alloc(508, 0xa5)
  ]
].map(([name, e, d]) => ({ name, encoded: hex(e), decoded: hex(d) }));
for (const a of acceptedForms) if (hex(cobs.decode(Buffer.from(a.encoded, "hex"))) !== a.decoded) throw new Error("accepted " + a.name);
const invalidCobs = [
  ["empty: every encoding has a code byte", ""],
  ["a zero code byte", "00"],
  ["a zero data byte", "031100"],
  ["group runs past the end", "051122"],
  ["code ff runs past the end", "ff" + "11".repeat(10)],
  ["second group runs past the end", "021103223344"]
].map(([name, e]) => ({ name, encoded: e }));
fs.writeFileSync(
  out + "cobs.json",
  JSON.stringify(
    {
      description:
        "COBS without the 0x00 delimiter. cases: decoded <-> encoded both ways (encoders produce exactly this form, as in Cheshire & Baker 1999). acceptedForms: other encodings decoders must accept. invalid: decoders must reject.",
      cases: cobsCases,
      acceptedForms,
      invalid: invalidCobs
    },
    null,
    2
  ) + "\n"
);

// ---------- stream-frames.json
function frameOf(f, payload, magic, version) {
  return Buffer.concat([header({ ...f, length: f.length === undefined ? payload.length : f.length }, magic, version), payload]);
}
function streamOf(frame, crcOverride) {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crcOverride === undefined ? zlib.crc32(frame) : crcOverride);
  return Buffer.concat([cobs.encode(Buffer.concat([frame, crc])), Buffer.from([0])]);
}
const F = (kind, codec, methodId, requestId) => ({ kind, flags: 0, codec, cellId: thermo, methodId, requestId });
const validFrames = [
  ["thermo read request, msgpack {unit:'C'}", F(0, 1, readId, 1), Buffer.from("81a4756e6974a143", "hex")],
  ["describe request, empty payload", F(0, 0, 0, 2), Buffer.alloc(0)],
  ["error frame: code 2 + message", F(2, 0, readId, 3), Buffer.concat([Buffer.from([2]), Buffer.from("no such method")])],
  ["payload of zeros", F(1, 2, readId, 4), Buffer.alloc(16)],
  ["payload of 300 non-zero bytes (0xff groups)", F(1, 0, readId, 5), Buffer.alloc(300, 0x77)],
  [
    "announce",
    { kind: 5, flags: 0, codec: 0, cellId: 0, methodId: 0, requestId: 0 },
    Buffer.from("0100000030750000019ee32c2d0102030406746865726d6f", "hex")
  ]
].map(([name, f, p]) => {
  const fr = frameOf(f, p);
  return {
    name,
    fields: { ...f, length: p.length },
    payload: hex(p),
    frame: hex(fr),
    crc: u32hex(zlib.crc32(fr)),
    stream: hex(streamOf(fr))
  };
});
const good = frameOf(F(0, 1, readId, 9), Buffer.from("81a4756e6974a143", "hex"));
const goodStream = streamOf(good);
const crcFlipped = Buffer.from(goodStream);
crcFlipped[crcFlipped.length - 2] ^= 0x01; // a CRC byte, non-zero after flip
if (crcFlipped[crcFlipped.length - 2] === 0) throw new Error("flip made a zero");
const payloadFlipped = Buffer.from(goodStream);
const pAt = goodStream.indexOf(Buffer.from("81a4756e6974a143", "hex"));
if (pAt < 0) throw new Error("payload not found");
payloadFlipped[pAt] ^= 0x10;
const big = frameOf(F(0, 1, readId, 10), Buffer.alloc(20, 0x33)); // 40 bytes
const badStreams = [
  ["CRC byte flipped", 1044, crcFlipped, [], { BadCrc: 1 }],
  ["payload bit flipped", 1044, payloadFlipped, [], { BadCrc: 1 }],
  ["delimiter inside a group (truncated)", 1044, Buffer.from("05112200", "hex"), [], { BadCobs: 1 }],
  ["text noise then a good frame", 1044, Buffer.concat([Buffer.from("Hello\x00"), goodStream]), [good], { BadCobs: 1 }],
  [
    "a good frame cut short, then a good frame",
    1044,
    Buffer.concat([goodStream.subarray(0, 12), Buffer.from([0]), goodStream]),
    [good],
    { BadCobs: 1 }
  ],
  ["idle zeros around a frame", 1044, Buffer.concat([Buffer.from([0, 0, 0]), goodStream, Buffer.from([0, 0])]), [good], {}],
  ["two frames back to back", 1044, Buffer.concat([goodStream, goodStream]), [good, good], {}],
  ["10 bytes with a correct CRC: too short", 1044, streamOf(Buffer.from("0102030405060708090a", "hex")), [], { TooShort: 1 }],
  ["magic 0xcf, CRC correct", 1044, streamOf(frameOf(F(0, 1, readId, 1), pay(4), 0xcf)), [], { BadMagic: 1 }],
  ["version 2, CRC correct", 1044, streamOf(frameOf(F(0, 1, readId, 1), pay(4), 0xce, 2)), [], { BadVersion: 1 }],
  ["kind 7, CRC correct", 1044, streamOf(frameOf(F(7, 1, readId, 1), pay(4))), [], { BadKind: 1 }],
  [
    "length field 10 for 4 payload bytes, CRC correct",
    1044,
    streamOf(frameOf({ ...F(0, 1, readId, 1), length: 10 }, pay(4))),
    [],
    { BadLength: 1 }
  ],
  ["40-byte frame on a link with maxFrame 40", 40, streamOf(big), [big], {}],
  ["40-byte frame on a link with maxFrame 39, then a good frame", 39, Buffer.concat([streamOf(big), goodStream]), [good], { TooLong: 1 }],
  [
    "a long run of non-zero noise, then a good frame",
    64,
    Buffer.concat([Buffer.alloc(5000, 0xee), Buffer.from([0]), goodStream]),
    [good],
    { TooLong: 1 }
  ]
].map(([name, maxFrame, stream, frames, drops]) => ({ name, maxFrame, stream: hex(stream), frames: frames.map(hex), drops }));
fs.writeFileSync(
  out + "stream-frames.json",
  JSON.stringify(
    {
      description:
        "Stream framing: stream = COBS(frame || CRC-32(frame) as u32 LE) || 00. valid: header fields + payload <-> frame and stream bytes, both ways. badStreams: a receiver with the given maxFrame fed the whole stream yields exactly `frames` and counts exactly `drops` (reason -> count).",
      valid: validFrames,
      badStreams
    },
    null,
    2
  ) + "\n"
);

// ---------- ids.json
const idStrings = [
  ["cell name", "thermo"],
  ["cell name", "a"],
  ["cell name", "foobar"],
  ["cell name", "motor.left"],
  ["cell name", "caf\u00e9"],
  ["empty string (offset basis)", ""],
  ["method signature", readSig],
  ["method signature", "set({target:f32})->bool"],
  ["method signature", "log({lines:array<string>,level:optional<u8>})->u32"],
  ["event signature", alarmSig],
  ["schema text", "cell thermo{" + [alarmSig, readSig].sort().join(";") + "}"]
].map(([what, text]) => ({ what, text, id: u32hex(fnv(text)) }));
fs.writeFileSync(
  out + "ids.json",
  JSON.stringify(
    {
      description:
        "FNV-1a-32 over the UTF-8 bytes of text: offset basis 0x811c9dc5, prime 0x01000193. Cell id = hash of the name; method/event id = hash of the canonical signature; schema hash = hash of the schema text.",
      cases: idStrings
    },
    null,
    2
  ) + "\n"
);
console.log("thermo", u32hex(thermo), "readId", u32hex(readId), "alarm", u32hex(alarmId));
