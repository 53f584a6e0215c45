// The `cobs` npm package ships no types; tests and benchmarks use it as an independent reference.
declare module "cobs" {
  export function encode(bytes: Uint8Array, addZero?: boolean): Buffer;
  export function decode(bytes: Uint8Array): Buffer;
  const cobs: { encode: typeof encode; decode: typeof decode };
  export default cobs;
}
