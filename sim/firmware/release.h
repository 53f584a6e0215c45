/* Signed releases on the device (spec/signing.md): the provisioned public key, the signature file of the
 * stored bundle, and the checks of spec/signing.md §4 made with Monocypher's Ed25519 (SHA-512). Both live
 * in the NOLOAD RAM above the bundle store, like the store itself: a machine reset keeps them, and a host
 * can preload them with `-device loader` (the trust record is how a factory provisions the key: no
 * loader method can write it). */
#ifndef CELL_RELEASE_H
#define CELL_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#define TRUST_ADDR 0x203FFE00u
#define TRUST_MAGIC 0x4B4C4543u /* "CELK" */
typedef struct {
  uint32_t magic;
  uint8_t key[32]; /* the raw Ed25519 public key (spec/signing.md §1) */
} trust_record_t;

#define RELEASE_ADDR 0x203FFC00u
#define RELEASE_MAGIC 0x524C4543u /* "CELR" */
/* The longest signature file: a statement with a 63-byte board and 32 cells, signature, key. */
#define RELEASE_FILE_MAX (58u + 63u + 8u * 32u + 96u)
typedef struct {
  uint32_t magic;
  uint32_t length;
  uint8_t file[RELEASE_FILE_MAX]; /* the stored bundle's signature file (spec/signing.md §3) */
} release_record_t;

/* Room for every message the checks write. */
#define RELEASE_MSG_SIZE 192

/* The provisioned key, or NULL if none is: then any bundle is taken, signed or not. */
const uint8_t *trust_key(void);

/* The checks of spec/signing.md §4 on a signature file, for a bundle of `size` bytes whose SHA-256 is
 * `sha256`; the version is compared with the stored release's unless `force`. NULL if they pass, else the
 * refusal, starting with its §4 name ("SignerUntrusted: ..."), written into msg (RELEASE_MSG_SIZE bytes).
 * `cycles` (if not NULL) gets the Ed25519 check's time in 25 MHz timer cycles. */
const char *release_check(const uint8_t *file, size_t len, uint32_t size, const uint8_t sha256[32], int force,
                          char *msg, uint32_t *cycles);
/* Why a bundle with no signature file is refused while a key is provisioned. */
const char *release_unsigned(char *msg);
/* Records the stored bundle's signature file (len 0: the stored bundle has none). */
void release_store(const uint8_t *file, size_t len);
/* Before the stored bundle runs: NULL if no key is provisioned or its stored signature file passes §4 (no
 * rollback check), else why not (msg). The bundle's bytes are hashed, once per power-on and bundle. */
const char *release_boot_check(const uint8_t *bundle, uint32_t size, char *msg);

#endif
