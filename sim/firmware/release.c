#include "release.h"
#include <string.h>
#include "clock.h"
#include "console.h"
#include "engine.h"
#ifndef CELL_NO_ED25519
#include "monocypher-ed25519.h"
#endif
#include "sha256.h"
#include "store.h"

#define trust (*(const volatile trust_record_t *)TRUST_ADDR)
#define record (*(release_record_t *)RELEASE_ADDR)
typedef char release_fits_below_trust[(RELEASE_ADDR + sizeof(release_record_t) <= TRUST_ADDR) ? 1 : -1];
typedef char trust_fits_below_faults[(TRUST_ADDR + sizeof(trust_record_t) <= FAULTS_ADDR) ? 1 : -1];
typedef char store_fits_below_release[(BUNDLE_STORE_ADDR + sizeof(bundle_store_t) <= RELEASE_ADDR) ? 1 : -1];

/* A signature file taken apart (spec/signing.md §2, §3). */
typedef struct {
  size_t statement_len;
  const uint8_t *bundle_sha256;
  uint32_t bundle_length, version;
  const uint8_t *board;
  size_t board_len;
  const uint8_t *signature, *key;
} release_t;

static uint32_t le32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }

/* 1 if `file` is well formed: magic, counts in range, and exactly statement + signature + key long. */
static int parse(const uint8_t *f, size_t len, release_t *r) {
  size_t b, c;
  if (len < 58 + 96 || memcmp(f, "CELLREL1", 8) != 0) return 0;
  b = f[56];
  if (b < 1 || b > 63 || len < 58 + b) return 0;
  c = f[57 + b];
  if (c > 32) return 0;
  r->statement_len = 58 + b + 8 * c;
  if (len != r->statement_len + 96) return 0;
  r->bundle_sha256 = f + 8;
  r->bundle_length = le32(f + 40);
  r->version = le32(f + 44);
  r->board = f + 57;
  r->board_len = b;
  r->signature = f + r->statement_len;
  r->key = f + r->statement_len + 64;
  return 1;
}

/* Appends text to msg, never past RELEASE_MSG_SIZE - 1 bytes. */
static void put(char *msg, const char *s, size_t n) {
  size_t at = strlen(msg);
  while (n-- > 0 && *s && at < RELEASE_MSG_SIZE - 1) msg[at++] = *s++;
  msg[at] = 0;
}
static void puts_(char *msg, const char *s) { put(msg, s, (size_t)-1); }

static void put_u32(char *msg, uint32_t v) {
  char d[11];
  int i = 10;
  d[i] = 0;
  do d[--i] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  puts_(msg, d + i);
}

/* The key id: the first 8 bytes of SHA-256(raw key), as 16 lowercase hex digits. */
static void put_key_id(char *msg, const uint8_t *key) {
  static const char digits[] = "0123456789abcdef";
  uint8_t h[32];
  char id[17];
  sha256_t s;
  int i;
  sha256_init(&s);
  sha256_update(&s, key, 32);
  sha256_final(&s, h);
  for (i = 0; i < 8; i++) {
    id[2 * i] = digits[h[i] >> 4];
    id[2 * i + 1] = digits[h[i] & 15];
  }
  id[16] = 0;
  puts_(msg, id);
}

const uint8_t *trust_key(void) { return trust.magic == TRUST_MAGIC ? (const uint8_t *)trust.key : NULL; }

/* The stored bundle's release version, or 0 if the stored bundle has no signature file of its own. */
static uint32_t running_version(void) {
  release_t r;
  uint32_t size, crc;
  if (!bundle_get(&size, &crc) || record.magic != RELEASE_MAGIC || record.length > RELEASE_FILE_MAX) return 0;
  if (!parse(record.file, record.length, &r)) return 0;
  if (r.bundle_length != size || memcmp(r.bundle_sha256, bundle_stored_sha256(), 32) != 0) return 0;
  return r.version;
}

/* §4 steps 1–5; the rollback step is the caller's. */
static const char *check(const uint8_t *file, size_t len, uint32_t size, const uint8_t sha256[32], release_t *r, char *msg,
                         uint32_t *cycles) {
  const uint8_t *key = trust_key();
  uint64_t t0;
  int bad;
  msg[0] = 0;
  if (!parse(file, len, r)) {
    puts_(msg, "SignatureMalformed: the signature file (");
    put_u32(msg, (uint32_t)len);
    puts_(msg, " bytes) is not a release statement followed by a signature and a key (spec/signing.md 3)");
    return msg;
  }
  if (memcmp(r->key, key, 32) != 0) {
    puts_(msg, "SignerUntrusted: signed by key ");
    put_key_id(msg, r->key);
    puts_(msg, ", this board trusts key ");
    put_key_id(msg, key);
    return msg;
  }
  t0 = clock_cycles();
#ifdef CELL_NO_ED25519
  (void)t0;
  (void)cycles;
  (void)bad;
  puts_(msg, "SignatureInvalid: this firmware was built without Ed25519 (no Monocypher at build time), so it checks no signature");
  return msg;
#else
  bad = crypto_ed25519_check(r->signature, r->key, file, r->statement_len);
  if (cycles) *cycles = (uint32_t)(clock_cycles() - t0);
#endif
  if (bad) {
    puts_(msg, "SignatureInvalid: the Ed25519 signature by key ");
    put_key_id(msg, r->key);
    puts_(msg, " does not verify over the statement");
    return msg;
  }
  if (r->bundle_length != size || memcmp(r->bundle_sha256, sha256, 32) != 0) {
    puts_(msg, "BundleTampered: the bundle's SHA-256 or length (");
    put_u32(msg, size);
    puts_(msg, " bytes) differ from what key ");
    put_key_id(msg, r->key);
    puts_(msg, " signed (");
    put_u32(msg, r->bundle_length);
    puts_(msg, " bytes)");
    return msg;
  }
  if (r->board_len != strlen(CELL_BOARD_NAME) || memcmp(r->board, CELL_BOARD_NAME, r->board_len) != 0) {
    puts_(msg, "WrongBoard: signed for board ");
    put(msg, (const char *)r->board, r->board_len);
    puts_(msg, ", this board is " CELL_BOARD_NAME);
    return msg;
  }
  return NULL;
}

const char *release_check(const uint8_t *file, size_t len, uint32_t size, const uint8_t sha256[32], int force,
                          char *msg, uint32_t *cycles) {
  release_t r;
  uint32_t running;
  const char *err = check(file, len, size, sha256, &r, msg, cycles);
  if (err) return err;
  running = running_version();
  if (!force && r.version < running) {
    puts_(msg, "Rollback: version ");
    put_u32(msg, r.version);
    puts_(msg, " is lower than the running release's ");
    put_u32(msg, running);
    puts_(msg, " (force it to go back)");
    return msg;
  }
  return NULL;
}

const char *release_unsigned(char *msg) {
  msg[0] = 0;
  puts_(msg, "SignatureMalformed: no signature; this board trusts key ");
  put_key_id(msg, trust_key());
  puts_(msg, " and takes signed bundles only (commitSigned)");
  return msg;
}

/* The stored bundle's digest that passed the checks since power-on (.bss: a machine reset forgets it). */
static uint8_t verified_sha256[32];
static int verified;

void release_store(const uint8_t *file, size_t len) {
  record.magic = 0;
  verified = 0;
  if (len == 0 || len > RELEASE_FILE_MAX) return;
  memcpy(record.file, file, len);
  record.length = (uint32_t)len;
  record.magic = RELEASE_MAGIC;
  memcpy(verified_sha256, bundle_stored_sha256(), 32); /* the loader checked it just before storing */
  verified = 1;
}

const char *release_boot_check(const uint8_t *bundle, uint32_t size, char *msg) {
  release_t r;
  sha256_t s;
  uint8_t digest[32];
  const char *err;
  uint32_t cycles = 0;
  uint64_t t0 = clock_cycles();
  if (!trust_key()) return NULL;
  sha256_init(&s);
  sha256_update(&s, bundle, size);
  sha256_final(&s, digest);
  if (verified && memcmp(digest, verified_sha256, 32) == 0) return NULL;
  if (record.magic != RELEASE_MAGIC || record.length > RELEASE_FILE_MAX) return release_unsigned(msg);
  err = check(record.file, record.length, size, digest, &r, msg, &cycles);
  con_printf("loader: boot check of the stored release took %u timer cycles (ed25519 %u)\n",
             (uint32_t)(clock_cycles() - t0), cycles);
  if (err) return err;
  memcpy(verified_sha256, digest, 32);
  verified = 1;
  return NULL;
}
