// The smallest useful cell: echo(text) answers the text, and the `count` event reports how many
// echoes the device has answered. Build it for a board with
//   npm run build:firmware -- --board esp32 examples/echo/echo.ts
import { cell, method, event, t } from "../../core/schema";
import type { Server } from "../../core/rpc/serve";
import type { DeviceCell } from "../../firmware/runtime";

export var Echo = cell("echo", {
  echo: method(t.string, t.string, { idempotent: true }),
  count: event(t.u32)
});

var server: Server<typeof Echo.members> | null = null;
var answered = 0;

export var echoCell: DeviceCell<typeof Echo.members> = {
  def: Echo,
  handlers: {
    echo: function (text: string) {
      answered++;
      if (server) server.emit("count", answered);
      return text;
    }
  },
  start: function (s) {
    server = s;
  }
};

export default [echoCell];
