#include "arena.h"
#include <string.h>

/* Block: two size_t words of header (own size | USED, previous block's size), then the payload. A free
 * block keeps its bin links in the payload. The arena ends in a zero-size USED sentinel header. */
typedef struct blk {
  size_t size;
  size_t prev;
  struct blk *next_free;
  struct blk *prev_free;
} blk_t;

#define HDR (2 * sizeof(size_t))
#define ALIGNMENT HDR
#define MIN_BLOCK (HDR + 2 * sizeof(void *))
#define USED ((size_t)1)
#define BSIZE(b) ((b)->size & ~USED)
#define NEXT(b) ((blk_t *)((uint8_t *)(b) + BSIZE(b)))
#define PREV(b) ((blk_t *)((uint8_t *)(b) - (b)->prev))

static unsigned log2_floor(uint32_t v) {
  unsigned l = 0;
  while (v >>= 1) l++;
  return l;
}

static unsigned bin_of(size_t size) {
  uint32_t s = size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)size;
  unsigned l = log2_floor(s);
  unsigned idx = (l - 4) * 4 + ((s >> (l - 2)) & 3);
  return idx < ARENA_BINS ? idx : ARENA_BINS - 1;
}

static void bin_link(arena_t *a, blk_t *b) {
  unsigned i = bin_of(BSIZE(b));
  blk_t *head = (blk_t *)a->bins[i];
  b->prev_free = NULL;
  b->next_free = head;
  if (head) head->prev_free = b;
  a->bins[i] = b;
}

static void bin_unlink(arena_t *a, blk_t *b) {
  if (b->prev_free) b->prev_free->next_free = b->next_free;
  else a->bins[bin_of(BSIZE(b))] = b->next_free;
  if (b->next_free) b->next_free->prev_free = b->prev_free;
}

void arena_init(arena_t *a, void *mem, size_t size) {
  uintptr_t start = ((uintptr_t)mem + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
  size_t usable = (size - (size_t)(start - (uintptr_t)mem) - HDR) & ~(size_t)(ALIGNMENT - 1);
  blk_t *first = (blk_t *)start, *sentinel;
  memset(a, 0, sizeof *a);
  a->base = (uint8_t *)start;
  a->size = usable + HDR;
  first->size = usable;
  first->prev = 0;
  sentinel = NEXT(first);
  sentinel->size = USED;
  sentinel->prev = usable;
  bin_link(a, first);
}

static size_t block_size_for(size_t n) {
  size_t need = (n + HDR + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
  return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/* Puts a free block back, merged with its free neighbours. */
static void release(arena_t *a, blk_t *b) {
  blk_t *n = NEXT(b);
  b->size &= ~USED;
  if (!(n->size & USED)) {
    bin_unlink(a, n);
    b->size += BSIZE(n);
  }
  if (b->prev && !(PREV(b)->size & USED)) {
    blk_t *p = PREV(b);
    bin_unlink(a, p);
    p->size += BSIZE(b);
    b = p;
  }
  NEXT(b)->prev = BSIZE(b);
  bin_link(a, b);
}

/* Cuts a used block down to `need` bytes if the rest makes a block of its own. */
static void trim(arena_t *a, blk_t *b, size_t need) {
  size_t have = BSIZE(b);
  blk_t *tail;
  if (have - need < MIN_BLOCK) return;
  b->size = need | USED;
  tail = NEXT(b);
  tail->size = (have - need) | USED;
  tail->prev = need;
  NEXT(tail)->prev = have - need;
  a->used -= have - need;
  release(a, tail);
}

/* Called after trim(), so the peak never counts the slack a block had before it was cut to size. */
static void note_peak(arena_t *a) {
  if (a->used > a->peak) a->peak = a->used;
}

void *arena_alloc(arena_t *a, size_t n) {
  size_t need;
  unsigned i;
  blk_t *b = NULL;
  if (n == 0) return NULL;
  if (n > a->size) {
    a->failures++;
    return NULL;
  }
  need = block_size_for(n);
  /* In its own bin a block may be too small; in any higher bin the first one fits. */
  for (b = (blk_t *)a->bins[bin_of(need)]; b && BSIZE(b) < need; b = b->next_free) {
  }
  for (i = bin_of(need) + 1; !b && i < ARENA_BINS; i++) b = (blk_t *)a->bins[i];
  if (!b) {
    a->failures++;
    return NULL;
  }
  bin_unlink(a, b);
  b->size |= USED;
  a->used += BSIZE(b);
  trim(a, b, need);
  note_peak(a);
  return (uint8_t *)b + HDR;
}

void arena_free(arena_t *a, void *p) {
  blk_t *b;
  if (!p) return;
  b = (blk_t *)((uint8_t *)p - HDR);
  a->used -= BSIZE(b);
  release(a, b);
}

void *arena_realloc(arena_t *a, void *p, size_t n) {
  blk_t *b, *next;
  size_t need, have;
  void *q;
  if (!p) return arena_alloc(a, n);
  if (n == 0) {
    arena_free(a, p);
    return NULL;
  }
  if (n > a->size) {
    a->failures++;
    return NULL;
  }
  b = (blk_t *)((uint8_t *)p - HDR);
  need = block_size_for(n);
  have = BSIZE(b);
  if (need <= have) {
    trim(a, b, need);
    return p;
  }
  next = NEXT(b);
  if (!(next->size & USED) && have + BSIZE(next) >= need) {
    size_t gained = BSIZE(next);
    bin_unlink(a, next);
    b->size = (have + gained) | USED;
    NEXT(b)->prev = have + gained;
    a->used += gained;
    trim(a, b, need);
    note_peak(a);
    return p;
  }
  q = arena_alloc(a, n);
  if (!q) return NULL;
  memcpy(q, p, have - HDR);
  arena_free(a, p);
  return q;
}

int arena_check(const arena_t *a) {
  const blk_t *b = (const blk_t *)a->base;
  size_t prev = 0, used = 0, total = 0;
  while (BSIZE(b) != 0) {
    if (b->prev != prev || BSIZE(b) % ALIGNMENT != 0 || BSIZE(b) < MIN_BLOCK) return 0;
    if (b->size & USED) used += BSIZE(b);
    else if (prev && !(PREV(b)->size & USED)) return 0; /* two free neighbours should have merged */
    total += BSIZE(b);
    prev = BSIZE(b);
    b = NEXT(b);
  }
  return b->prev == prev && used == a->used && total + HDR == a->size;
}
