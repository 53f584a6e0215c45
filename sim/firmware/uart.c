/* CMSDK APB UART driver. QEMU's UART holds one received byte and delivers the next only after the guest
 * reads DATA, so bytes are never lost as long as we stop reading when our ring is full: the ISR then
 * masks the RX interrupt and leaves the byte in DATA; uart0_read() drains it and unmasks once there is room. */
#include "uart.h"
#include "board.h"

#define RING_SIZE 8192u /* power of two */

static uint8_t ring[RING_SIZE];
static volatile uint32_t ring_head, ring_tail; /* head: ISR writes; tail: main loop reads */
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

/* Moves bytes from the UART into the ring while both allow; returns 0 if the ring filled up first. */
static int drain(void) {
  while (UART_STATE(UART0_BASE) & UART_STATE_RXFULL) {
    uint32_t head = ring_head;
    if (head - ring_tail >= RING_SIZE) return 0;
    ring[head & (RING_SIZE - 1)] = (uint8_t)UART_DATA(UART0_BASE);
    ring_head = head + 1;
  }
  return 1;
}

void Uart0Rx_Handler(void) {
  UART_INT(UART0_BASE) = UART_INT_RX;
  if (!drain()) {
    UART_CTRL(UART0_BASE) &= ~UART_CTRL_RXINTEN;
    rx_masked = 1;
    stalls++;
  }
}

int uart0_read(void) {
  uint32_t tail = ring_tail;
  int b;
  if (tail == ring_head) {
    if (!rx_masked) return -1;
    /* The ring was full and is now empty: take over from the ISR until the UART is drained. */
    irq_disable();
    if (drain()) {
      rx_masked = 0;
      UART_CTRL(UART0_BASE) |= UART_CTRL_RXINTEN;
    }
    irq_enable();
    if (tail == ring_head) return -1;
  }
  b = ring[tail & (RING_SIZE - 1)];
  ring_tail = tail + 1;
  return b;
}

int uart0_pending(void) {
  return ring_head != ring_tail || rx_masked || (UART_STATE(UART0_BASE) & UART_STATE_RXFULL) != 0;
}

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
