#include "loader.h"
#include <string.h>
#include "clock.h"
#include "compact.h"
#include "console.h"
#include "engine.h"
#include "link.h"
#include "release.h"
#include "store.h"
#include "wire.h"

static int reset_requested;

int loader_take_reset(void) {
  int r = reset_requested;
  reset_requested = 0;
  return r;
}

static const char *do_write(compact_reader_t *r) {
  const uint8_t *data;
  uint32_t offset = compact_read_u32(r);
  size_t n = compact_read_bytes(r, &data);
  if (compact_read_end(r)) return r->err;
  if (!staging_write(offset, data, n)) return "write past the end of the bundle store";
  return NULL;
}

/* A plain commit: refused while a key is provisioned (the bundle carries no signature). */
static const char *do_commit(compact_reader_t *r, char *msg) {
  const uint8_t *sha;
  const char *err;
  uint32_t size = compact_read_u32(r);
  uint32_t crc = compact_read_u32(r);
  size_t sha_len = compact_read_bytes(r, &sha);
  if (compact_read_end(r)) return r->err;
  if (sha_len != 32) return "sha256 must be 32 bytes";
  if (trust_key()) return release_unsigned(msg);
  if ((err = staging_verify(size, crc, sha, msg)) != NULL) return err;
  staging_install(size, crc, sha);
  release_store(NULL, 0);
  return NULL;
}

/* commitSigned: the commit's checks, then spec/signing.md §4 when a key is provisioned (without one the
 * board trusts any bundle, and the signature is not kept). Nothing is stored unless all pass. */
static const char *do_commit_signed(compact_reader_t *r, char *msg) {
  const uint8_t *sha, *sig;
  const char *err;
  uint32_t cycles = 0;
  uint32_t size = compact_read_u32(r);
  uint32_t crc = compact_read_u32(r);
  size_t sha_len = compact_read_bytes(r, &sha);
  size_t sig_len = compact_read_bytes(r, &sig);
  int force = compact_read_bool(r);
  if (compact_read_end(r)) return r->err;
  if (sha_len != 32) return "sha256 must be 32 bytes";
  if ((err = staging_verify(size, crc, sha, msg)) != NULL) return err;
  if (trust_key()) {
    err = release_check(sig, sig_len, size, sha, force, msg, &cycles);
    if (cycles) con_printf("loader: ed25519 check took %u timer cycles\n", cycles);
    if (err) return err;
  }
  staging_install(size, crc, sha);
  release_store(sig, trust_key() ? sig_len : 0);
  return NULL;
}

static size_t status_payload(uint8_t *out, size_t cap) {
  compact_writer_t w;
  uint32_t size, crc;
  const char *err = engine_last_error();
  bundle_get(&size, &crc);
  compact_writer_init(&w, out, cap);
  compact_write_u32(&w, size);
  compact_write_u32(&w, crc);
  compact_write_bool(&w, engine_running());
  compact_write_string(&w, err, strlen(err));
  compact_write_u32(&w, (uint32_t)engine_heap_size());
  compact_write_u32(&w, (uint32_t)engine_heap_peak());
  compact_write_u32(&w, (uint32_t)clock_millis());
  return w.at;
}

void loader_handle(const uint8_t *frame, size_t len) {
  uint32_t method = wire_get_u32(frame + WIRE_AT_METHOD);
  uint8_t codec = frame[WIRE_AT_CODEC];
  compact_reader_t r;
  const char *err = NULL;
  char msg[RELEASE_MSG_SIZE];
  if ((frame[WIRE_AT_KIND] & 15) != WIRE_KIND_REQUEST) return; /* nothing to cancel: every call is answered at once */
  if (method == WIRE_METHOD_DESCRIBE) {
    link_respond(frame, WIRE_CODEC_RAW, (const uint8_t *)LOADER_SCHEMA_TEXT, sizeof LOADER_SCHEMA_TEXT - 1);
    return;
  }
  if (method != LOADER_METHOD_WRITE && method != LOADER_METHOD_COMMIT && method != LOADER_METHOD_COMMIT_SIGNED &&
      method != LOADER_METHOD_RESET && method != LOADER_METHOD_STATUS) {
    link_error(frame, ERR_UNKNOWN_METHOD, "cell.loader has no such method (and no events)");
    return;
  }
  if (codec != WIRE_CODEC_COMPACT) {
    link_error(frame, ERR_UNSUPPORTED_CODEC, "cell.loader speaks COMPACT (codec 2) only");
    return;
  }
  compact_reader_init(&r, frame + WIRE_HEADER_SIZE, len - WIRE_HEADER_SIZE);
  if (method == LOADER_METHOD_WRITE) {
    err = do_write(&r);
  } else if (method == LOADER_METHOD_COMMIT || method == LOADER_METHOD_COMMIT_SIGNED) {
    err = method == LOADER_METHOD_COMMIT ? do_commit(&r, msg) : do_commit_signed(&r, msg);
    if (!err) reset_requested = 1;
    if (!err) faults_clear(); /* a new bundle gets a fresh start */
  } else if (method == LOADER_METHOD_RESET) {
    err = compact_read_end(&r);
    if (!err) reset_requested = 1;
    if (!err) faults_clear();
  } else {
    err = compact_read_end(&r);
    if (!err) {
      uint8_t *out = link_payload_buffer();
      link_respond(frame, WIRE_CODEC_COMPACT, out, status_payload(out, CELL_MAX_FRAME - WIRE_HEADER_SIZE));
      return;
    }
  }
  if (err) link_error(frame, ERR_BAD_PAYLOAD, err);
  else link_respond(frame, WIRE_CODEC_COMPACT, NULL, 0);
  if (method == LOADER_METHOD_COMMIT || method == LOADER_METHOD_COMMIT_SIGNED)
    con_printf("loader: commit %s%s\n", err ? "refused: " : "ok, rebooting", err ? err : "");
  if (method == LOADER_METHOD_RESET && !err) con_printf("loader: reset\n");
}
