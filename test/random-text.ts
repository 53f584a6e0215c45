// Echo texts of random sizes for the long call runs on real engines (issue 11): seeded, so a failing
// run can be repeated, and bounded by the board's max frame.

/** A seeded pseudo-random number generator (an LCG) giving numbers in [0, 1]. */
export function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const ALPHABET = ["a", "é", "✓", "日", "🚀", "z", " "];

/** The most UTF-8 bytes an echo text may take in one COMPACT frame: 20-byte header, a 2-byte varint length. */
export function maxEchoBytes(maxFrameBytes: number): number {
  return maxFrameBytes - 22;
}

/**
 * A text of 1- to 4-byte characters of at most `maxBytes` UTF-8 bytes: one call in eight takes a length
 * uniform in 0..maxBytes (up to the board's max frame), the others one in 0..48 bytes, what a call mostly
 * carries (a uniform spread would make long runs on a paced link take most of an hour).
 */
export function randomText(rnd: () => number, maxBytes: number): string {
  const target = Math.floor(rnd() * ((rnd() < 1 / 8 ? maxBytes : Math.min(48, maxBytes)) + 1));
  let s = "";
  let bytes = 0;
  for (;;) {
    const c = ALPHABET[Math.floor(rnd() * ALPHABET.length)];
    const n = Buffer.byteLength(c);
    if (bytes + n > target) return s + "a".repeat(target - bytes);
    s += c;
    bytes += n;
  }
}
