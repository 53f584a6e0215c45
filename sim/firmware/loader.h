/* The boot loader: the reserved cell `cell.loader` (spec/loader.md), served in C so that no bundle can
 * make the board unreachable. */
#ifndef CELL_LOADER_H
#define CELL_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "loader_schema.h"

enum { ERR_UNKNOWN_CELL = 1, ERR_UNKNOWN_METHOD = 2, ERR_BAD_PAYLOAD = 3, ERR_HANDLER_FAILED = 4,
       ERR_UNSUPPORTED_CODEC = 9 };

/* Handles one frame addressed to LOADER_CELL_ID. */
void loader_handle(const uint8_t *frame, size_t len);
/* 1 once after a commit or reset request was answered: the caller then soft-resets. */
int loader_take_reset(void);

#endif
