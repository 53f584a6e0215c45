/* The loader cell's ids and canonical schema text, mirrored from sim/loader-schema.ts (a test compares
 * them). Each id is the FNV-1a-32 of the member's canonical signature. */
#ifndef CELL_LOADER_SCHEMA_H
#define CELL_LOADER_SCHEMA_H

#define LOADER_CELL_NAME "cell.loader"
#define LOADER_CELL_ID 0x995d7aaeu
#define LOADER_METHOD_WRITE 0xa3e97c06u  /* write({offset:u32,data:bytes})->{} */
#define LOADER_METHOD_COMMIT 0x330dac76u /* commit({size:u32,crc32:u32,sha256:bytes})->{} */
#define LOADER_METHOD_COMMIT_SIGNED 0x42ab7c5au /* commitSigned({size:u32,crc32:u32,sha256:bytes,signature:bytes,force:bool})->{} */
#define LOADER_METHOD_RESET 0xb2e5198cu  /* reset({})->{} */
#define LOADER_METHOD_STATUS 0x798adfadu /* status({})->{bundleSize:u32,...,uptimeMs:u32} */

#define LOADER_SCHEMA_TEXT                                                                               \
  "cell cell.loader{commit({size:u32,crc32:u32,sha256:bytes})->{};"                                     \
  "commitSigned({size:u32,crc32:u32,sha256:bytes,signature:bytes,force:bool})->{};reset({})->{};"        \
  "status({})->{bundleSize:u32,bundleCrc32:u32,running:bool,lastError:string,heapSize:u32,heapPeak:u32," \
  "uptimeMs:u32};write({offset:u32,data:bytes})->{}}"

#endif
