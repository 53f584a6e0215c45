/* mps2-an385 (QEMU) registers this firmware touches: CMSDK APB UARTs and timer 0, SysTick, NVIC, SCB. */
#ifndef CELL_BOARD_H
#define CELL_BOARD_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define SYSCLK_HZ 25000000u

/* CMSDK APB UART */
#define UART0_BASE 0x40004000u /* the wire link */
#define UART1_BASE 0x40005000u /* the console */
#define UART_DATA(b) REG32((b) + 0x00)
#define UART_STATE(b) REG32((b) + 0x04)
#define UART_CTRL(b) REG32((b) + 0x08)
#define UART_INT(b) REG32((b) + 0x0C) /* read: status, write 1: clear */
#define UART_BAUDDIV(b) REG32((b) + 0x10)
#define UART_STATE_TXFULL (1u << 0)
#define UART_STATE_RXFULL (1u << 1)
#define UART_STATE_RXOVR (1u << 3)
#define UART_CTRL_TXEN (1u << 0)
#define UART_CTRL_RXEN (1u << 1)
#define UART_CTRL_RXINTEN (1u << 3)
#define UART_INT_RX (1u << 1)
#define UART0_RX_IRQ 0 /* TX is RX + 1; UART1 RX is 2 */

/* CMSDK APB timer 0: a 32-bit down-counter at SYSCLK_HZ; reloads from RELOAD after reaching 0 */
#define TIMER0_BASE 0x40000000u
#define TIMER_CTRL(b) REG32((b) + 0x00)
#define TIMER_VALUE(b) REG32((b) + 0x04)
#define TIMER_RELOAD(b) REG32((b) + 0x08) /* writing it also sets VALUE */
#define TIMER_CTRL_EN (1u << 0)

/* SysTick */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 7u

/* NVIC / SCB */
#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ICPR0 REG32(0xE000E280u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_SYSRESET 0x05FA0004u

static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
/* For code that may run with interrupts already disabled: irq_restore() puts back what irq_save() found. */
static inline uint32_t irq_save(void) {
  uint32_t primask;
  __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}
static inline void irq_restore(uint32_t primask) { __asm volatile("msr primask, %0" ::"r"(primask) : "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void cpu_wfi(void) { __asm volatile("wfi" ::: "memory"); }

#endif
