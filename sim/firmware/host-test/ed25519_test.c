/* Monocypher's Ed25519 (SHA-512, optional/monocypher-ed25519.c: what the firmware links) on the host, driven
 * by test/sim-ed25519.test.ts with the keys, statements and signatures of spec/vectors/signing.json.
 * One command per input line:
 *   sign SEED MSG          prints "PUBLIC SIGNATURE" (Monocypher's own, from the 32-byte seed)
 *   check PUBLIC SIG MSG   prints "ok" or "bad" (crypto_ed25519_check, as release.c calls it)
 * All arguments in hex; an empty message is "-". */
#include <stdio.h>
#include <string.h>
#include "monocypher-ed25519.h"

#define MAX_MSG 4096

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  if (strcmp(s, "-") == 0) return 0;
  while (s[0] && s[1] && n < cap) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static void put_hex(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(void) {
  static char line[3 * MAX_MSG];
  static char a[2 * MAX_MSG + 2], b[2 * MAX_MSG + 2], c[2 * MAX_MSG + 2], cmd[16];
  static uint8_t msg[MAX_MSG];
  while (fgets(line, sizeof line, stdin)) {
    uint8_t seed[32], secret[64], pub[32], sig[64];
    size_t n;
    int fields = sscanf(line, "%15s %8193s %8193s %8193s", cmd, a, b, c);
    if (fields == 3 && strcmp(cmd, "sign") == 0) {
      if (unhex(a, seed, 32) != 32) return 2;
      n = unhex(b, msg, MAX_MSG);
      crypto_ed25519_key_pair(secret, pub, seed); /* wipes seed */
      crypto_ed25519_sign(sig, secret, msg, n);
      put_hex(pub, 32);
      printf(" ");
      put_hex(sig, 64);
      printf("\n");
    } else if (fields == 4 && strcmp(cmd, "check") == 0) {
      if (unhex(a, pub, 32) != 32 || unhex(b, sig, 64) != 64) return 2;
      n = unhex(c, msg, MAX_MSG);
      printf("%s\n", crypto_ed25519_check(sig, pub, msg, n) == 0 ? "ok" : "bad");
    } else {
      return 2;
    }
  }
  return 0;
}
