/* Host-side checks of the firmware's text natives' C (text.c), driven by test/sim-text.test.ts:
 *   text_test in HEX                      prints the CESU-8 of the UTF-8 bytes HEX, or "BAD"
 *   text_test out HEX CAP AT PREFIXED     writes the engine string HEX (CESU-8) as text_put does into a
 *                                         CAP-byte buffer of 0xAA bytes; prints "END <hex of the buffer>", or "BAD" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../text.h"

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = strlen(h) / 2, i;
  for (i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(h + 2 * i, "%2x", &v) != 1) exit(2);
    out[i] = (uint8_t)v;
  }
  return n;
}

static void print_hex(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(int argc, char **argv) {
  static uint8_t in[1 << 16], out[1 << 17];
  size_t n, r;
  if (argc == 3 && strcmp(argv[1], "in") == 0) {
    n = unhex(argv[2], in);
    r = text_utf8_to_cesu8(in, n, NULL);
    if (r == TEXT_BAD) return puts("BAD"), 0;
    if (r > n * 3 / 2) return puts("TOO MANY"), 1; /* the bound the natives' buffers rely on */
    if (text_utf8_to_cesu8(in, n, out) != r) return puts("COUNT"), 1;
    print_hex(out, r);
    puts("");
    return 0;
  }
  if (argc == 6 && strcmp(argv[1], "out") == 0) {
    size_t cap = (size_t)atol(argv[3]), at = (size_t)atol(argv[4]);
    uint8_t *buf = malloc(cap ? cap : 1); /* exactly cap bytes: the sanitizer sees any write past it */
    n = unhex(argv[2], in);
    memset(buf, 0xAA, cap);
    r = text_put(in, n, buf, cap, at, atoi(argv[5]));
    if (r == TEXT_BAD) {
      for (size_t i = 0; i < cap; i++)
        if (buf[i] != 0xAA) return puts("WROTE"), 1;
      return puts("BAD"), 0;
    }
    printf("%lu ", (unsigned long)r);
    print_hex(buf, cap);
    puts("");
    free(buf);
    return 0;
  }
  fprintf(stderr, "usage: text_test in HEX | out HEX CAP AT PREFIXED\n");
  return 2;
}
