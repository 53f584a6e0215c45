/* UART0 carries the wire link (RX by interrupt into a ring, TX polled); UART1 is the console (TX only). */
#ifndef CELL_UART_H
#define CELL_UART_H

#include <stddef.h>
#include <stdint.h>

void uart_init(void);
/* Next received UART0 byte, or -1 if none is waiting. */
int uart0_read(void);
/* 1 if UART0 has bytes waiting (call with interrupts disabled before sleeping). */
int uart0_pending(void);
void uart0_write(const uint8_t *p, size_t n);
void uart1_write(const uint8_t *p, size_t n);
/* Times the ring was full and the UART held bytes back (QEMU waits; nothing is lost). */
uint32_t uart0_stalls(void);

#endif
