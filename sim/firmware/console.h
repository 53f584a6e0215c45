/* The console is UART1: boot banner, sim.log, print, errors. */
#ifndef CELL_CONSOLE_H
#define CELL_CONSOLE_H

#include <stddef.h>

void con_write(const char *s, size_t n);
void con_puts(const char *s);
/* Small printf: %s %d %u %x (32-bit), %c, %%. No floats, no widths: enough for a console, no heap. */
void con_printf(const char *fmt, ...);

#endif
