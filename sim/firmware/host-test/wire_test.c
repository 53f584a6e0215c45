/* Host-side checks of the firmware's portable C (wire, arena, sha256, compact), driven by
 * test/sim-wire.test.ts:
 *   wire_test decode MAXFRAME < stream   prints "F <hex>" per frame, then "D cobs crc long header"
 *   wire_test encode < frames            frames as (u32 LE length, bytes)*; writes the stream bytes
 *   wire_test selftest                   known answers and a randomized arena workout; prints "ok" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../arena.h"
#include "../compact.h"
#include "../sha256.h"
#include "../wire.h"

static uint8_t *read_all(FILE *f, size_t *n) {
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  if (!buf) exit(2);
  *n = len;
  return buf;
}

static int cmd_decode(size_t max_frame) {
  size_t n, i, j;
  uint8_t *in = read_all(stdin, &n);
  uint8_t *buf = malloc(max_frame + WIRE_CRC_SIZE);
  wire_acc_t a;
  wire_acc_init(&a, buf, max_frame + WIRE_CRC_SIZE);
  for (i = 0; i < n; i++) {
    size_t len = wire_acc_feed(&a, in[i]);
    if (!len) continue;
    printf("F ");
    for (j = 0; j < len; j++) printf("%02x", a.buf[j]);
    printf("\n");
  }
  printf("D %u %u %u %u\n", a.drops_bad_cobs, a.drops_bad_crc, a.drops_too_long, a.drops_bad_header);
  free(in);
  free(buf);
  return 0;
}

static int cmd_encode(void) {
  size_t n, at = 0;
  uint8_t *in = read_all(stdin, &n);
  while (at + 4 <= n) {
    size_t len = wire_get_u32(in + at), cap = WIRE_STREAM_MAX(len), out_len;
    uint8_t *out = malloc(cap);
    at += 4;
    if (len > n - at) return 3;
    out_len = wire_stream_encode(in + at, len, out, cap);
    if (!out_len || wire_stream_encode(in + at, len, out, out_len - 1) != 0) return 4; /* exact fit only */
    fwrite(out, 1, out_len, stdout);
    free(out);
    at += len;
  }
  free(in);
  return 0;
}

static int failures;
#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                        \
    }                                                                    \
  } while (0)

static void hex_of(const uint8_t *p, size_t n, char *out) {
  size_t i;
  for (i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", p[i]);
}

static void check_sha(const char *msg, size_t repeat, const char *want) {
  sha256_t s;
  uint8_t d[32];
  char hex[65];
  size_t i, len = strlen(msg);
  sha256_init(&s);
  for (i = 0; i < repeat; i++) sha256_update(&s, (const uint8_t *)msg, len);
  sha256_final(&s, d);
  hex_of(d, 32, hex);
  if (strcmp(hex, want) != 0) fprintf(stderr, "sha256 of %zux\"%s\": %s, want %s\n", repeat, msg, hex, want);
  CHECK(strcmp(hex, want) == 0);
}

static void selftest_hashes(void) {
  CHECK(wire_crc32(0, (const uint8_t *)"123456789", 9) == 0xCBF43926u);
  CHECK(wire_crc32(wire_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) == 0xCBF43926u);
  CHECK(wire_fnv1a32_str("") == 0x811C9DC5u);
  CHECK(wire_fnv1a32_str("a") == 0xE40C292Cu);
  check_sha("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  check_sha("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  check_sha("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void selftest_compact(void) {
  compact_reader_t r;
  compact_writer_t w;
  const uint8_t *b;
  uint8_t out[16];
  static const uint8_t max32[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F };
  static const uint8_t over[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x1F };
  static const uint8_t overlong[] = { 0x80, 0x00 };
  static const uint8_t bytes[] = { 0x03, 1, 2, 3 };
  static const uint8_t short_bytes[] = { 0x05, 1, 2 };
  compact_reader_init(&r, max32, sizeof max32);
  CHECK(compact_read_u32(&r) == 0xFFFFFFFFu && compact_read_end(&r) == NULL);
  compact_reader_init(&r, over, sizeof over);
  compact_read_u32(&r);
  CHECK(r.err != NULL);
  compact_reader_init(&r, overlong, sizeof overlong);
  compact_read_u32(&r);
  CHECK(r.err != NULL);
  compact_reader_init(&r, bytes, sizeof bytes);
  CHECK(compact_read_bytes(&r, &b) == 3 && b == bytes + 1 && compact_read_end(&r) == NULL);
  compact_reader_init(&r, short_bytes, sizeof short_bytes);
  compact_read_bytes(&r, &b);
  CHECK(r.err != NULL);
  compact_reader_init(&r, bytes, 0);
  compact_read_u32(&r);
  CHECK(r.err != NULL);
  compact_writer_init(&w, out, sizeof out);
  compact_write_u32(&w, 300);
  compact_write_bool(&w, 1);
  compact_write_string(&w, "hi", 2);
  CHECK(w.at == 6 && !w.overflow && out[0] == 0xAC && out[1] == 0x02 && out[2] == 1 && out[3] == 2);
  compact_writer_init(&w, out, 3);
  compact_write_string(&w, "hello", 5);
  CHECK(w.overflow);
}

static void selftest_wire_edges(void) {
  uint8_t frame[300], stream[WIRE_STREAM_MAX(300)], buf[64];
  wire_acc_t a;
  size_t n, i, got = 0;
  wire_put_header(frame, WIRE_KIND_EVENT, WIRE_CODEC_RAW, 1, 2, 0, 280);
  for (i = 20; i < 300; i++) frame[i] = (uint8_t)(i % 7 ? i : 0);
  n = wire_stream_encode(frame, 300, stream, sizeof stream);
  CHECK(n > 300 && stream[n - 1] == 0);
  CHECK(wire_stream_encode(frame, 300, stream, n - 1) == 0); /* too small: refused, not overrun */
  wire_acc_init(&a, buf, sizeof buf);                            /* too small for the frame: counted */
  for (i = 0; i < n; i++) got += wire_acc_feed(&a, stream[i]);
  CHECK(got == 0 && a.drops_too_long == 1);
  got = 0;
  for (i = 0; i < 3; i++) got += wire_acc_feed(&a, 0); /* idle delimiters count nothing */
  CHECK(got == 0 && a.drops_too_long == 1 && a.drops_bad_cobs == 0);
  CHECK(wire_header_ok(frame, 300));
  CHECK(!wire_header_ok(frame, 299));
}

static uint32_t rng_state = 2463534242u;
static uint32_t rng(void) { /* xorshift32: repeatable */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Random alloc/realloc/free against a shadow table; checks contents and the arena's tags as it goes. */
static void selftest_arena(void) {
  enum { SLOTS = 400, SIZE = 256 * 1024 };
  static uint8_t mem[SIZE];
  static struct { uint8_t *p; size_t n; uint8_t fill; } slot[SLOTS];
  arena_t a;
  unsigned round, i;
  size_t k;
  arena_init(&a, mem, SIZE);
  CHECK(arena_check(&a) && a.used == 0);
  CHECK(arena_alloc(&a, SIZE) == NULL && a.failures == 1);
  for (round = 0; round < 200000; round++) {
    unsigned s = rng() % SLOTS, op = rng() % 3;
    if (slot[s].p) {
      for (k = 0; k < slot[s].n; k++)
        if (slot[s].p[k] != slot[s].fill) {
          CHECK(!"arena corrupted a block");
          return;
        }
    }
    if (op == 0) {
      arena_free(&a, slot[s].p);
      slot[s].p = NULL;
    } else {
      size_t n = 1 + rng() % (rng() % 4 == 0 ? 6000 : 200), keep;
      uint8_t *p;
      if (op == 1) {
        p = arena_realloc(&a, slot[s].p, n);
      } else {
        p = arena_alloc(&a, n);
        if (p) arena_free(&a, slot[s].p);
      }
      if (!p) continue; /* full: the old block (if any) must still be intact, checked next time */
      keep = op == 1 && slot[s].p ? (slot[s].n < n ? slot[s].n : n) : 0;
      for (k = 0; k < keep; k++) CHECK(p[k] == slot[s].fill); /* realloc kept the contents */
      slot[s].p = p;
      slot[s].n = n;
      slot[s].fill = (uint8_t)rng();
      memset(p, slot[s].fill, n);
    }
    if (round % 1000 == 0) CHECK(arena_check(&a));
    CHECK(a.used <= a.peak && a.peak <= a.size);
  }
  CHECK(a.failures > 100 && a.peak > SIZE * 9 / 10); /* the workout did run the arena full */
  for (i = 0; i < SLOTS; i++) arena_free(&a, slot[i].p);
  CHECK(arena_check(&a) && a.used == 0);
  CHECK(arena_alloc(&a, SIZE - 64) != NULL); /* everything merged back into one block */
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "decode") == 0) return cmd_decode((size_t)strtoul(argv[2], NULL, 10));
  if (argc >= 2 && strcmp(argv[1], "encode") == 0) return cmd_encode();
  if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
    selftest_hashes();
    selftest_compact();
    selftest_wire_edges();
    selftest_arena();
    if (failures) return 1;
    printf("ok\n");
    return 0;
  }
  fprintf(stderr, "usage: wire_test decode MAXFRAME | encode | selftest\n");
  return 2;
}
