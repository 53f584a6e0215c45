/* The wire link on UART0: frames in through the stream accumulator, frames out encoded and written. */
#ifndef CELL_LINK_H
#define CELL_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"

#ifndef CELL_MAX_FRAME
#define CELL_MAX_FRAME 1024u /* header + payload */
#endif

void link_init(void);
/* Feeds waiting UART0 bytes to the accumulator; returns the length of the next complete frame (at *frame),
 * or 0 once no byte is waiting. The frame is valid until the next call. */
size_t link_poll(const uint8_t **frame);
/* Sends one frame (header ‖ payload); 0 if it is larger than CELL_MAX_FRAME. */
int link_send(const uint8_t *frame, size_t len);
/* Answers the request whose header is `req`: RESPONSE with `codec`, or ERROR (codec RAW, code + message). */
void link_respond(const uint8_t *req, uint8_t codec, const uint8_t *payload, size_t n);
void link_error(const uint8_t *req, uint8_t code, const char *message);
/* A buffer of CELL_MAX_FRAME - 20 bytes to build a response payload in. */
uint8_t *link_payload_buffer(void);
const wire_acc_t *link_stats(void);

#endif
