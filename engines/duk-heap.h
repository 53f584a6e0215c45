/* A Duktape allocator that caps the heap at a byte limit and records use and peak, so a bundle that
 * needs more memory than its board has fails in the test runner as it would on the board. */
#ifndef DUK_HEAP_CAP_H
#define DUK_HEAP_CAP_H

#include <stddef.h>
#include <duktape.h>

typedef struct {
  size_t used;     /* bytes handed to Duktape and not yet freed (what it asked for, no malloc overhead) */
  size_t peak;     /* the most `used` has been */
  size_t limit;    /* 0: no cap yet (while the engine and personality start) */
  size_t baseline; /* `used` once the engine and personality are up, before the bundle */
  unsigned long refused;  /* allocations refused because of the cap */
  size_t last_refused;    /* size of the last refused request */
} cap_heap_t;

void *cap_alloc(void *udata, duk_size_t size);
void *cap_realloc(void *udata, void *ptr, duk_size_t size);
void cap_free(void *udata, void *ptr);

#endif
