#include "store.h"
#include <string.h>
#include "sha256.h"
#include "wire.h"

/* The store keeps its header first, at BUNDLE_STORE_ADDR (see link.ld), so an image file can be preloaded. */
#define store (*(bundle_store_t *)BUNDLE_STORE_ADDR)
typedef char store_fits_below_faults[(BUNDLE_STORE_ADDR + sizeof(bundle_store_t) <= FAULTS_ADDR) ? 1 : -1];

uint32_t faults_in_a_row(void) { return FAULTS->magic == FAULTS_MAGIC ? FAULTS->count : 0; }

void faults_clear(void) {
  FAULTS->magic = FAULTS_MAGIC;
  FAULTS->count = 0;
}

static uint8_t staging[CELL_FLASH_SIZE];

const uint8_t *bundle_get(uint32_t *size, uint32_t *crc32) {
  const bundle_header_t *h = &store.header;
  *size = 0;
  *crc32 = 0;
  if (h->magic != BUNDLE_MAGIC || h->size > CELL_FLASH_SIZE || h->reserved != 0) return NULL;
  if (wire_crc32(0, store.data, h->size) != h->crc32) return NULL;
  *size = h->size;
  *crc32 = h->crc32;
  return store.data;
}

int staging_write(uint32_t offset, const uint8_t *p, size_t n) {
  if (offset > CELL_FLASH_SIZE || n > CELL_FLASH_SIZE - offset) return 0;
  memcpy(staging + offset, p, n);
  return 1;
}

static void hex32(char *out, uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  int i;
  for (i = 0; i < 8; i++) out[i] = digits[(v >> (28 - 4 * i)) & 15];
  out[8] = 0;
}

const char *staging_verify(uint32_t size, uint32_t crc32, const uint8_t sha256[32], char *msg) {
  sha256_t s;
  uint8_t digest[32];
  uint32_t got;
  char want_hex[9], got_hex[9];
  if (size > CELL_FLASH_SIZE) return "size is larger than the bundle store";
  got = wire_crc32(0, staging, size);
  if (got != crc32) {
    hex32(want_hex, crc32);
    hex32(got_hex, got);
    strcpy(msg, "crc32 mismatch: commit says ");
    strcat(msg, want_hex);
    strcat(msg, ", staged bytes have ");
    strcat(msg, got_hex);
    return msg;
  }
  sha256_init(&s);
  sha256_update(&s, staging, size);
  sha256_final(&s, digest);
  if (memcmp(digest, sha256, 32) != 0) return "sha256 mismatch: staged bytes differ from the commit's digest";
  return NULL;
}

void staging_install(uint32_t size, uint32_t crc32, const uint8_t sha256[32]) {
  /* Invalidate first, so a half-copied store is never taken for a good one. */
  store.header.magic = 0;
  memcpy(store.data, staging, size);
  store.header.size = size;
  store.header.crc32 = crc32;
  store.header.reserved = 0;
  memcpy(store.header.sha256, sha256, 32);
  store.header.magic = BUNDLE_MAGIC;
}

const uint8_t *bundle_stored_sha256(void) { return store.header.sha256; }

/* Key/value entries packed back to back: key length (1 byte), value length (2 bytes LE), key, value. */
static uint8_t kv[CELL_KV_SIZE];
static size_t kv_used;

#define KV_ENTRY_HDR 3

static size_t entry_size(const uint8_t *e) { return KV_ENTRY_HDR + e[0] + (size_t)(e[1] | (e[2] << 8)); }

static uint8_t *kv_find(const uint8_t *key, size_t key_len) {
  size_t at = 0;
  while (at < kv_used) {
    uint8_t *e = kv + at;
    if (e[0] == key_len && memcmp(e + KV_ENTRY_HDR, key, key_len) == 0) return e;
    at += entry_size(e);
  }
  return NULL;
}

int kv_read(const uint8_t *key, size_t key_len, const uint8_t **value, size_t *value_len) {
  uint8_t *e = kv_find(key, key_len);
  if (!e) return 0;
  *value = e + KV_ENTRY_HDR + e[0];
  *value_len = (size_t)(e[1] | (e[2] << 8));
  return 1;
}

int kv_write(const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len) {
  uint8_t *old, *e;
  size_t old_size, need = KV_ENTRY_HDR + key_len + value_len;
  if (key_len == 0 || key_len > KV_MAX_KEY || value_len > KV_MAX_VALUE) return 0;
  old = kv_find(key, key_len);
  old_size = old ? entry_size(old) : 0;
  if (value_len > 0 && need > CELL_KV_SIZE - kv_used + old_size) return 0;
  if (old) {
    /* Close the gap; the entry is appended anew at the end. */
    size_t after = (size_t)(old - kv) + old_size;
    memmove(old, kv + after, kv_used - after);
    kv_used -= old_size;
  }
  if (value_len == 0) return 1; /* an empty value removes the key */
  e = kv + kv_used;
  e[0] = (uint8_t)key_len;
  e[1] = (uint8_t)value_len;
  e[2] = (uint8_t)(value_len >> 8);
  memcpy(e + KV_ENTRY_HDR, key, key_len);
  memcpy(e + KV_ENTRY_HDR + key_len, value, value_len);
  kv_used += need;
  return 1;
}
