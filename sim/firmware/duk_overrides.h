/* Injected by sim/build.mjs into Duktape's duk_config.h at its __OVERRIDE_DEFINES__ marker. */

/* No OS clock or time zone: Date comes from the board clock (clock.c, via engine.c), local time is UTC. */
#undef DUK_USE_DATE_NOW_GETTIMEOFDAY
#undef DUK_USE_DATE_NOW_TIME
#undef DUK_USE_DATE_TZO_GMTIME_R
#undef DUK_USE_DATE_TZO_GMTIME_S
#undef DUK_USE_DATE_TZO_GMTIME
#undef DUK_USE_DATE_PRS_STRPTIME
#undef DUK_USE_DATE_FMT_STRFTIME
extern double cell_date_now(void);
#define DUK_USE_DATE_GET_NOW(ctx) cell_date_now()
#define DUK_USE_DATE_GET_LOCAL_TZOFFSET(d) 0

/* Not needed on the board, and they cost flash. */
#undef DUK_USE_DEBUGGER_SUPPORT
#undef DUK_USE_BYTECODE_DUMP_SUPPORT

/* A runaway bundle is interrupted (RangeError) instead of starving the loader. */
#define DUK_USE_INTERRUPT_COUNTER
extern int cell_exec_timeout(void *udata);
#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) cell_exec_timeout((udata))

/* Deep native recursion (regexps, JSON, nested calls) gets a RangeError before the C stack overflows. */
extern int cell_stack_low(void);
#define DUK_USE_NATIVE_STACK_CHECK() cell_stack_low()
