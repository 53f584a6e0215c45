/* The runner's Duktape is configured by the sim firmware's own overrides (sim/firmware/duk_overrides.h,
 * pasted into duk_config.h by build.ts), so that its heap matches our Duktape board's. Those overrides
 * call three firmware hooks; on the host they are the real clock, no time-out and no stack check. */
#define _POSIX_C_SOURCE 200809L
#include <duktape.h> /* declares the hooks, so these definitions are checked against them */
#include <time.h>

double cell_date_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000); /* whole milliseconds, as Date has */
}

int cell_exec_timeout(void *udata) {
  (void)udata;
  return 0; /* the test harness times out a runaway bundle itself */
}

int cell_stack_low(void) {
  return 0; /* the host's C stack is far deeper than Duktape's own recursion limits reach */
}
