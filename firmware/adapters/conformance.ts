// Compile-time check only (never bundled): every adapter module exports the whole HAL.
import type { Hal } from "../hal";
import type * as espruino from "./espruino";
import type * as kaluma from "./kaluma";
import type * as duktapeSim from "./duktape-sim";
import type * as node from "./node";

type Conforms<M extends Hal> = M;
export type AdapterModules = [Conforms<typeof espruino>, Conforms<typeof kaluma>, Conforms<typeof duktapeSim>, Conforms<typeof node>];
