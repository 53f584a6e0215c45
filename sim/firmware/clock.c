#include "clock.h"
#include "board.h"

static volatile uint64_t ticks;

void SysTick_Handler(void) { ticks++; }

void clock_init(void) {
  SYST_RVR = SYSCLK_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

/* A 64-bit read is two loads: re-read until the high word did not change under us. */
uint64_t clock_millis(void) {
  uint64_t a, b;
  do {
    a = ticks;
    b = ticks;
  } while (a != b);
  return a;
}
