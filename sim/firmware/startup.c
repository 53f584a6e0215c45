/* Reset handler and vector table for the Cortex-M3 of mps2-an385. */
#include <stdint.h>
#include <string.h>
#include "board.h"
#include "console.h"
#include "store.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack, _sstack;

#define STACK_PAINT 0xA5A5A5A5u

/* The stack is painted at reset; the deepest word no longer painted shows how deep it ever went. */
uint32_t stack_peak_bytes(void) {
  const uint32_t *p = &_sstack;
  while (p < &_estack && *p == STACK_PAINT) p++;
  return (uint32_t)((const char *)&_estack - (const char *)p);
}
int main(void);
void SysTick_Handler(void);
void Uart0Rx_Handler(void);

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
  memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
  {
    volatile uint32_t *p = &_sstack;
    uintptr_t stop = (uintptr_t)__builtin_frame_address(0) - 64; /* a little below this frame */
    while ((uintptr_t)p < stop) *p++ = STACK_PAINT;
  }
  main();
  for (;;) cpu_wfi();
}

/* A fault is a firmware bug, not a bundle's: say where, count it, reset the machine. The bundle store
 * and the count live outside the image, so they survive; the count stops a fault loop (store.h). */
static void fault(const char *what, uint32_t *frame) {
  uint32_t n = faults_in_a_row() + 1;
  con_printf("\nFAULT %s pc=%x lr=%x; resetting\n", what, frame[6], frame[5]);
  FAULTS->magic = FAULTS_MAGIC;
  FAULTS->count = n;
  SCB_AIRCR = SCB_AIRCR_SYSRESET;
  for (;;) {
  }
}

void HardFault_C(uint32_t *frame) { fault("hard", frame); }

/* Picks the stack the fault frame was pushed on (MSP or PSP) and hands it to C. */
__attribute__((naked)) void HardFault_Handler(void) {
  __asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b HardFault_C\n");
}

static void Default_Handler(void) {
  con_printf("\nunexpected interrupt; resetting\n");
  SCB_AIRCR = SCB_AIRCR_SYSRESET;
  for (;;) {
  }
}

#define IRQ_COUNT 32
typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used)) const vector_t vector_table[16 + IRQ_COUNT] = {
  (vector_t)(uintptr_t)&_estack,
  Reset_Handler,
  Default_Handler,   /* NMI */
  HardFault_Handler, /* HardFault */
  HardFault_Handler, /* MemManage */
  HardFault_Handler, /* BusFault */
  HardFault_Handler, /* UsageFault */
  0, 0, 0, 0,
  Default_Handler,   /* SVCall */
  Default_Handler,   /* DebugMon */
  0,
  Default_Handler,   /* PendSV */
  SysTick_Handler,
  /* External interrupts: only UART0 RX is enabled in the NVIC; the rest are unused. */
  Uart0Rx_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler
};
