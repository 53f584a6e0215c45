/* Time comes from timer 0, a free-running counter that QEMU derives from its own clock on every read,
 * not from counting SysTick interrupts: QEMU drops a tick whose interrupt is still pending when the next
 * one fires, so on a loaded host a tick count fell seconds behind (a "5 s" JS timeout took 9 s or more).
 * SysTick stays as the 1 kHz wake-up that lets the main loop run due timers. */
#include "clock.h"
#include "board.h"

#define CYCLES_PER_MS (SYSCLK_HZ / 1000u)

static uint64_t cycles; /* counted since clock_init */
static uint32_t last;   /* TIMER0 VALUE at the last update */

/* Adds the cycles since the last update; the counter wraps every 171 s, far apart from two updates
 * (SysTick alone updates every millisecond). Runs with interrupts disabled or in the SysTick handler. */
static void update(void) {
  uint32_t now = TIMER_VALUE(TIMER0_BASE);
  cycles += (uint32_t)(last - now); /* it counts down */
  last = now;
}

void SysTick_Handler(void) { update(); }

void clock_init(void) {
  cycles = 0;
  TIMER_CTRL(TIMER0_BASE) = 0;
  TIMER_RELOAD(TIMER0_BASE) = 0xFFFFFFFFu;
  TIMER_CTRL(TIMER0_BASE) = TIMER_CTRL_EN;
  last = TIMER_VALUE(TIMER0_BASE);
  SYST_RVR = CYCLES_PER_MS - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

uint64_t clock_millis(void) { return clock_cycles() / CYCLES_PER_MS; }

uint64_t clock_cycles(void) {
  uint64_t c;
  uint32_t saved = irq_save();
  update();
  c = cycles;
  irq_restore(saved);
  return c;
}
