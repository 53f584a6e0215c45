// Looking up a cell's members by name. Names come from callers (JS code, a CLI), so a name like
// "toString" must not find Object.prototype's function.
import type { CellDef, MemberInfo } from "../schema";

/** The method or event named `name` of `cell`, or null when it has no such member of that kind. */
export function memberNamed(cell: CellDef<any>, name: string, kind: "method" | "event"): MemberInfo | null {
  if (!Object.prototype.hasOwnProperty.call(cell.info, name)) return null;
  var info = cell.info[name];
  return info.def.kind === kind ? info : null;
}
