#include "duk-heap.h"
#include <stdlib.h>

/* Each block starts with its size, so free and realloc know what to subtract. 16 bytes keep the
 * payload as aligned as malloc's own result. */
#define HDR 16

static int over_cap(cap_heap_t *h, size_t old_size, size_t new_size) {
  if (h->limit == 0 || new_size <= old_size) return 0;
  if (h->used - old_size + new_size <= h->limit) return 0;
  h->refused++;
  h->last_refused = new_size;
  return 1;
}

static void grew(cap_heap_t *h, size_t old_size, size_t new_size) {
  h->used = h->used - old_size + new_size;
  if (h->used > h->peak) h->peak = h->used;
}

void *cap_alloc(void *udata, duk_size_t size) {
  cap_heap_t *h = (cap_heap_t *)udata;
  unsigned char *block;
  if (size == 0) return NULL; /* allowed by Duktape's allocator contract */
  if (over_cap(h, 0, size)) return NULL; /* Duktape then collects garbage and retries once */
  block = (unsigned char *)malloc(HDR + size);
  if (!block) return NULL;
  *(size_t *)block = size;
  grew(h, 0, size);
  return block + HDR;
}

void *cap_realloc(void *udata, void *ptr, duk_size_t size) {
  cap_heap_t *h = (cap_heap_t *)udata;
  unsigned char *block, *moved;
  size_t old_size;
  if (ptr == NULL) return cap_alloc(udata, size);
  block = (unsigned char *)ptr - HDR;
  old_size = *(size_t *)block;
  if (size == 0) {
    cap_free(udata, ptr);
    return NULL;
  }
  if (over_cap(h, old_size, size)) return NULL; /* the old block stays valid, as realloc promises */
  moved = (unsigned char *)realloc(block, HDR + size);
  if (!moved) return NULL;
  *(size_t *)moved = size;
  grew(h, old_size, size);
  return moved + HDR;
}

void cap_free(void *udata, void *ptr) {
  cap_heap_t *h = (cap_heap_t *)udata;
  unsigned char *block;
  if (ptr == NULL) return;
  block = (unsigned char *)ptr - HDR;
  h->used -= *(size_t *)block;
  free(block);
}
