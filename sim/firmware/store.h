/* Bundle store ("flash") and staging area, plus the small key/value store behind sim.storage*.
 * Both live in RAM: they survive a soft reset; the bundle store also survives a machine reset (it is
 * NOLOAD) and can be preloaded with `-device loader,file=IMAGE,addr=0x20300000` (spec/loader.md). */
#ifndef CELL_STORE_H
#define CELL_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifndef CELL_FLASH_SIZE
#define CELL_FLASH_SIZE (512u * 1024u)
#endif
#define BUNDLE_MAGIC 0x424C4543u /* "CELB" little-endian */
/* Outside the ELF image (link.ld): survives soft and machine resets, not a QEMU restart. */
#define BUNDLE_STORE_ADDR 0x20300000u
#define FAULTS_ADDR 0x203FFF00u

typedef struct {
  uint32_t magic;
  uint32_t size;
  uint32_t crc32;
  uint32_t reserved;
  uint8_t sha256[32];
} bundle_header_t;

typedef struct {
  bundle_header_t header;
  uint8_t data[CELL_FLASH_SIZE];
} bundle_store_t;

/* Hard faults in a row (a firmware bug a bundle keeps hitting): after 2 the bundle is not autostarted. */
typedef struct {
  uint32_t magic;
  uint32_t count;
} fault_record_t;
#define FAULTS ((volatile fault_record_t *)FAULTS_ADDR)
#define FAULTS_MAGIC 0x544C4146u /* "FALT" */
uint32_t faults_in_a_row(void);
void faults_clear(void);

/* The stored bundle if its header and CRC-32 check out, else NULL (and *size = 0). */
const uint8_t *bundle_get(uint32_t *size, uint32_t *crc32);

/* 1 if [offset, offset + n) lies inside the staging area and was copied. */
int staging_write(uint32_t offset, const uint8_t *p, size_t n);
/* Checks the first `size` staged bytes against the commit's CRC-32 and SHA-256. NULL if they match, else
 * why not (possibly written into msg, which must hold 128 bytes). */
const char *staging_verify(uint32_t size, uint32_t crc32, const uint8_t sha256[32], char *msg);
/* Makes the first `size` staged bytes (checked by staging_verify) the stored bundle. */
void staging_install(uint32_t size, uint32_t crc32, const uint8_t sha256[32]);
/* The SHA-256 recorded with the stored bundle (meaningful when bundle_get finds one). */
const uint8_t *bundle_stored_sha256(void);

#define KV_MAX_KEY 64
#define KV_MAX_VALUE 1024
#ifndef CELL_KV_SIZE
#define CELL_KV_SIZE 8192u
#endif

/* Returns 1 and points *value at the stored bytes (valid until the next kv_write), or 0 if absent. */
int kv_read(const uint8_t *key, size_t key_len, const uint8_t **value, size_t *value_len);
/* Replaces or adds an entry (an empty value removes it); 0 if the key or value is too long or the store is
 * full (nothing changes). */
int kv_write(const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len);

#endif
