/* CMSDK APB UART driver. QEMU's UART holds one received byte and delivers the next only after the guest
 * reads DATA, so bytes are never lost as long as we stop reading when our ring is full: the ISR then
 * masks the RX interrupt and leaves the byte in DATA; uart0_read() drains it and unmasks once there is room.
 *
 * QEMU raises the RX interrupt only for a byte that arrives while RXINTEN is set; setting RXINTEN later
 * does not raise it for a byte already waiting. Such a byte is never announced, and QEMU sends nothing
 * more until it is read: so after every unmask the UART is drained once more, and the main loop also
 * reads a byte it finds waiting in DATA while the ring is empty, whatever the interrupt state. */
#include "uart.h"
#include "board.h"

#define RING_SIZE 8192u /* power of two */

static uint8_t ring[RING_SIZE];
static volatile uint32_t ring_head, ring_tail; /* head: ISR (or main loop, interrupts off) writes; tail: main loop */
static volatile uint32_t stalls;
static volatile int rx_masked;

static void uart_setup(uint32_t base, uint32_t ctrl) {
  UART_BAUDDIV(base) = SYSCLK_HZ / 115200u;
  UART_CTRL(base) = ctrl;
}

void uart_init(void) {
  uart_setup(UART0_BASE, UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINTEN);
  uart_setup(UART1_BASE, UART_CTRL_TXEN);
  NVIC_ICPR0 = 1u << UART0_RX_IRQ;
  NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

static int rx_waiting(void) { return (UART_STATE(UART0_BASE) & UART_STATE_RXFULL) != 0; }

/* Moves bytes from the UART into the ring while both allow; returns 0 if the ring filled up first.
 * Runs in the ISR or with interrupts disabled: ring_head has one writer at a time. */
static int drain(void) {
  while (rx_waiting()) {
    uint32_t head = ring_head;
    if (head - ring_tail >= RING_SIZE) return 0;
    ring[head & (RING_SIZE - 1)] = (uint8_t)UART_DATA(UART0_BASE);
    ring_head = head + 1;
  }
  return 1;
}

/* The ring is full: stop taking interrupts; the byte stays in DATA and QEMU holds back the rest. */
static void rx_hold(void) {
  UART_CTRL(UART0_BASE) &= ~UART_CTRL_RXINTEN;
  rx_masked = 1;
  stalls++;
}

void Uart0Rx_Handler(void) {
  UART_INT(UART0_BASE) = UART_INT_RX;
  if (!drain()) rx_hold();
}

/* With interrupts disabled: takes what the UART holds and gives RX back to the interrupt if the ring has
 * room. The drain after the unmask catches a byte that landed before it (no interrupt announces that one);
 * any byte after it raises the interrupt. */
static void rx_resume(void) {
  if (!drain()) return; /* still full: stay held */
  if (!rx_masked) return;
  rx_masked = 0;
  UART_CTRL(UART0_BASE) |= UART_CTRL_RXINTEN;
  if (!drain()) rx_hold();
}

int uart0_read(void) {
  uint32_t tail = ring_tail;
  int b;
  if (tail == ring_head) {
    /* Empty ring: normally the UART is empty too. If it is held (ring was full) or a byte waits in DATA
     * unannounced, take over from the ISR until the UART is drained. */
    if (!rx_masked && !rx_waiting()) return -1;
    irq_disable();
    rx_resume();
    irq_enable();
    if (tail == ring_head) return -1;
  }
  b = ring[tail & (RING_SIZE - 1)];
  ring_tail = tail + 1;
  return b;
}

/* Agrees with uart0_read(): whenever this says 1, uart0_read() returns a byte or clears the reason (it never
 * leaves a byte in DATA while the main loop spins). */
int uart0_pending(void) { return ring_head != ring_tail || rx_masked || rx_waiting(); }

uint32_t uart0_stalls(void) { return stalls; }

static void tx(uint32_t base, const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    while (UART_STATE(base) & UART_STATE_TXFULL) {
    }
    UART_DATA(base) = p[i];
  }
}

void uart0_write(const uint8_t *p, size_t n) { tx(UART0_BASE, p, n); }
void uart1_write(const uint8_t *p, size_t n) { tx(UART1_BASE, p, n); }
