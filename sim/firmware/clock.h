/* Milliseconds since the machine started, read from a hardware counter (SysTick only wakes the main loop). */
#ifndef CELL_CLOCK_H
#define CELL_CLOCK_H

#include <stdint.h>

void clock_init(void);
uint64_t clock_millis(void);
/* Timer cycles (SYSCLK_HZ) since the machine started; under -icount shift=0 one is 40 instructions. */
uint64_t clock_cycles(void);

#endif
