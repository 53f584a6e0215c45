// The echo cell's schema, apart from its device code so hosts can import it (remote(Echo, link)) and a
// board build can compile it to a literal (it imports only core/schema).
import { cell, method, event, t } from "../../core/schema";

export var Echo = cell("echo", {
  echo: method(t.string, t.string, { idempotent: true }),
  count: event(t.u32)
});
