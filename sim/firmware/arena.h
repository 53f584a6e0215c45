/* A bounded allocator over one fixed block of memory: Duktape's heap. Boundary tags give O(1) free with
 * coalescing; size-class bins (4 per power of two) keep allocation short. Portable C99 (host-testable).
 * A soft reset simply re-initialises the arena, so no leak or fatal error can outlive a reset. */
#ifndef CELL_ARENA_H
#define CELL_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define ARENA_BINS 112

typedef struct {
  uint8_t *base;
  size_t size;
  size_t used; /* bytes in allocated blocks, headers included */
  size_t peak;
  uint32_t failures; /* allocations refused for lack of room */
  void *bins[ARENA_BINS];
} arena_t;

void arena_init(arena_t *a, void *mem, size_t size);
void *arena_alloc(arena_t *a, size_t n);
/* Like realloc: NULL p allocates, n == 0 frees; on failure returns NULL and p stays valid. */
void *arena_realloc(arena_t *a, void *p, size_t n);
void arena_free(arena_t *a, void *p);
/* Walks every block and checks the tags and the accounting; 1 if consistent (for tests). */
int arena_check(const arena_t *a);

#endif
