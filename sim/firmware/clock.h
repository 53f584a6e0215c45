/* Milliseconds since boot from SysTick at 1 kHz. */
#ifndef CELL_CLOCK_H
#define CELL_CLOCK_H

#include <stdint.h>

void clock_init(void);
uint64_t clock_millis(void);

#endif
