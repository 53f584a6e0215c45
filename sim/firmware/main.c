/* cell-sim firmware: Duktape + the cell.loader boot loader on QEMU's mps2-an385. */
#include <setjmp.h>
#include "board.h"
#include "clock.h"
#include "console.h"
#include "engine.h"
#include "link.h"
#include "loader.h"
#include "store.h"
#include "uart.h"
#include "wire.h"

static void dispatch(const uint8_t *frame, size_t len) {
  if (wire_get_u32(frame + WIRE_AT_CELL) == LOADER_CELL_ID) {
    loader_handle(frame, len);
    if (loader_take_reset()) engine_soft_reset();
    return;
  }
  if (!engine_deliver(frame, len) && (frame[WIRE_AT_KIND] & 15) == WIRE_KIND_REQUEST)
    link_error(frame, ERR_UNKNOWN_CELL, "no bundle is running (see cell.loader status)");
}

int main(void) {
  uart_init();
  clock_init();
  link_init();
  con_printf("\ncell-sim boot\n");
  if (setjmp(engine_fatal_jmp)) engine_recover();
  else engine_boot();
  for (;;) {
    const uint8_t *frame;
    size_t len;
    /* One frame, then the due timers: a link that never goes quiet must not starve them (the ANNOUNCE
       is a timer, and a board whose ANNOUNCE starves is taken for dead). */
    if ((len = link_poll(&frame)) != 0) dispatch(frame, len);
    engine_run_timers();
    /* Up for a while without a fault: whatever faulted before is not looping. */
    if (faults_in_a_row() && clock_millis() > 5000) faults_clear();
    /* Sleep only if nothing is waiting; WFI still wakes on an interrupt that arrives while masked. */
    irq_disable();
    if (!uart0_pending() && !engine_timers_due()) cpu_wfi();
    irq_enable();
  }
}
