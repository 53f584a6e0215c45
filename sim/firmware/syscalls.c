/* newlib-nano system calls. stdout/stderr go to the console. Nothing in this firmware mallocs through
 * newlib (Duktape has its own arena), so _sbrk only serves stray libc needs, bounded below the stack. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include "board.h"
#include "console.h"

extern char end, _sstack;
static uintptr_t brk_at;

void *_sbrk(ptrdiff_t incr) {
  uintptr_t limit = (uintptr_t)&_sstack - 1024; /* keep a gap above the stack's bottom */
  uintptr_t prev;
  if (!brk_at) brk_at = (uintptr_t)&end;
  prev = brk_at;
  if (incr < 0 || (uintptr_t)incr > limit - brk_at) {
    errno = ENOMEM;
    return (void *)-1;
  }
  brk_at += (uintptr_t)incr;
  return (void *)prev;
}

int _write(int fd, const char *p, int n) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  con_write(p, (size_t)n);
  return n;
}

int _read(int fd, char *p, int n) {
  (void)fd; (void)p; (void)n;
  errno = EBADF;
  return -1;
}

int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return -1; }
int _isatty(int fd) { return fd <= 2; }
int _getpid(void) { return 1; }

int _fstat(int fd, struct stat *st) {
  (void)fd;
  st->st_mode = S_IFCHR;
  return 0;
}

int _kill(int pid, int sig) {
  (void)pid; (void)sig;
  errno = EINVAL;
  return -1;
}

void _exit(int code) {
  con_printf("\nexit(%d); resetting\n", code);
  SCB_AIRCR = SCB_AIRCR_SYSRESET;
  for (;;) {
  }
}
