// Everything for Node users: the device-safe API plus the Promise layer. `serve` here is the host one
// (every codec by default, Promise-returning handlers typed).
export * from "../index";
export { serve } from "./serve";
export type { HostHandlers } from "./serve";
export { remote } from "./remote";
export type { Remote, RemoteMethods, RemoteControl, RemoteCallOptions, RemoteOptions } from "./remote";
export { hostEndpoint, HOST_CODECS, HOST_MAX_IN_FLIGHT } from "./defaults";
