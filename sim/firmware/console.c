#include "console.h"
#include <stdarg.h>
#include <stdint.h>
#include "uart.h"

void con_write(const char *s, size_t n) { uart1_write((const uint8_t *)s, n); }

void con_puts(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  con_write(s, n);
}

static void put_unsigned(uint32_t v, unsigned base) {
  char digits[11];
  int i = 0;
  do {
    unsigned d = v % base;
    digits[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  while (i > 0) con_write(&digits[--i], 1);
}

void con_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    char c = *fmt;
    if (c != '%' || !fmt[1]) {
      con_write(fmt, 1);
      continue;
    }
    c = *++fmt;
    if (c == 's') {
      const char *s = va_arg(ap, const char *);
      con_puts(s ? s : "(null)");
    } else if (c == 'u') {
      put_unsigned(va_arg(ap, uint32_t), 10);
    } else if (c == 'x') {
      put_unsigned(va_arg(ap, uint32_t), 16);
    } else if (c == 'd') {
      int32_t v = va_arg(ap, int32_t);
      if (v < 0) con_write("-", 1);
      put_unsigned(v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v, 10);
    } else if (c == 'c') {
      char ch = (char)va_arg(ap, int);
      con_write(&ch, 1);
    } else {
      con_write(fmt, 1);
    }
  }
  va_end(ap);
}
