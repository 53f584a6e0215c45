// What @matrixai/quic asks of its user besides the certificate: random bytes for a client, an HMAC
// key for a server's retry tokens, a logger, and a TLS check that pins certificate fingerprints.
import { createHmac, randomFillSync, timingSafeEqual } from "node:crypto";
import { fingerprintOf } from "./quic-cert";

/** BoringSSL's "bad certificate" alert (CryptoError.BadCertificate in @matrixai/quic). */
const BAD_CERTIFICATE = 298;

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

/** The fingerprints a pin check saw, so that a refused connection can say which certificate it was. */
export interface PinCheck {
  verify: (certs: Uint8Array[]) => Promise<number | undefined>;
  lastSeen: string | null;
}

/** Accepts a peer whose first (leaf) certificate has one of the pinned SHA-256 fingerprints. */
export function pinCheck(pinned: string[]): PinCheck {
  const check: PinCheck = {
    lastSeen: null,
    verify: async (certs) => {
      if (certs.length === 0) return BAD_CERTIFICATE;
      check.lastSeen = fingerprintOf(certs[0]);
      return pinned.indexOf(check.lastSeen) >= 0 ? undefined : BAD_CERTIFICATE;
    }
  };
  return check;
}
