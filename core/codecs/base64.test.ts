import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { base64Decode, base64Encode } from "./base64";

describe("base64", () => {
  it("matches the RFC 4648 test vectors", () => {
    const vectors = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    const text = ["", "f", "fo", "foo", "foob", "fooba", "foobar"];
    vectors.forEach((b64, i) => {
      expect(base64Encode(new Uint8Array(Buffer.from(text[i])))).toBe(b64);
      expect(Buffer.from(base64Decode(b64)!).toString()).toBe(text[i]);
    });
  });

  it("agrees with Node's Buffer both ways", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b64 = base64Encode(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64Decode(b64)).toEqual(bytes);
      })
    );
  });

  it("refuses malformed text", () => {
    for (const bad of ["A", "AB", "ABC", "A===", "====", "AB=C", "AB$=", "Zg", "Zh==", "Zm9=", "Zm9v\n", "Zm 9", "é123"]) {
      expect(base64Decode(bad)).toBeNull();
    }
  });
});
