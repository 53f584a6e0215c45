// What @matrixai/quic (a stack bench/quic-stacks.ts compares; transports/quic no longer uses it) asks
// of its user: a certificate, random bytes for a client, an HMAC key for a server's retry tokens.
import { createHmac, randomFillSync, timingSafeEqual, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { sequence, set, explicit, utf8String, bitString, unsignedInteger, oid, time } from "./der";

function arrayBufferOf(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

export function clientCrypto() {
  return {
    ops: {
      randomBytes: async (data: ArrayBuffer) => {
        randomFillSync(new Uint8Array(data));
      }
    }
  };
}

/** A fresh HMAC-SHA256 key per server start: tokens need to outlive only one handshake. */
export function serverCrypto() {
  const hmac = (key: ArrayBuffer, data: ArrayBuffer) => createHmac("sha256", Buffer.from(key)).update(Buffer.from(data)).digest();
  return {
    key: arrayBufferOf(randomFillSync(Buffer.alloc(32))),
    ops: {
      sign: async (key: ArrayBuffer, data: ArrayBuffer) => arrayBufferOf(hmac(key, data)),
      verify: async (key: ArrayBuffer, data: ArrayBuffer, sig: ArrayBuffer) => {
        const want = hmac(key, data);
        return want.length === sig.byteLength && timingSafeEqual(want, Buffer.from(sig));
      }
    }
  };
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));

/** A self-signed certificate for `name`, valid from yesterday for 100 years. */
export function makeSelfSigned(name: string): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const subject = sequence(set(sequence(oid("2.5.4.3"), utf8String(name))));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const now = Date.now();
  const tbs = sequence(
    explicit(0, unsignedInteger(new Uint8Array([2]))), // version 3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    subject, // issuer: itself
    sequence(time(new Date(now - 86400000)), time(new Date(now + 100 * 365.25 * 86400000))),
    subject,
    spki
  );
  const signature = sign("sha256", tbs, privateKey); // DER-encoded ECDSA signature, as X.509 wants
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(new Uint8Array(signature)));
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string
  };
}
