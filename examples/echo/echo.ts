// The smallest useful cell: echo(text) answers the text, and the `count` event reports how many
// echoes the device has answered. Build it for a board with
//   npm run build:firmware -- --board esp32 examples/echo/echo.ts
import type { DeviceCell, DeviceServer } from "../../firmware/runtime";
import { Echo } from "./schema";

export { Echo };

var server: DeviceServer<typeof Echo.members> | null = null;
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
