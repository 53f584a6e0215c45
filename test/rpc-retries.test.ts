// remote()'s retries: an idempotent call whose request was lost on the link is sent again and
// answered; a non-idempotent one is not resent and fails with TimedOut.
import { describe, it, expect } from "vitest";
import { cell, method, t, serve, remote, loopbackPair, CellError } from "../core/host";
import { ErrorCode } from "../core/errors";

const Calc = cell("calc", { double: method(t.u32, t.u32, { idempotent: true }), bump: method(t.u32, t.u32) });

function lossyPair(lose: number) {
  const [device, host] = loopbackPair();
  let left = lose;
  const send = host.send.bind(host);
  host.send = (frame, to) => (left-- > 0 ? undefined : send(frame, to)); // the first `lose` frames vanish
  return { device, host };
}

describe("remote retries", () => {
  it("resend an idempotent call that timed out, and tell onRetry", async () => {
    const { device, host } = lossyPair(3); // request, its CANCEL, the resent request
    serve(Calc, { double: (n) => n * 2, bump: (n) => n + 1 }, device);
    const tries: number[] = [];
    const calc = remote(Calc, host, { timeoutMs: 150, retries: 3, onRetry: (_m, n) => tries.push(n) });
    expect(await calc.double(21)).toBe(42);
    expect(tries).toEqual([1, 2]);
  });

  it("never resend a call that is not idempotent", async () => {
    const { device, host } = lossyPair(1);
    serve(Calc, { double: (n) => n * 2, bump: (n) => n + 1 }, device);
    const calc = remote(Calc, host, { timeoutMs: 150, retries: 3 });
    const err = await calc.bump(1).catch((e) => e);
    expect(err).toBeInstanceOf(CellError);
    expect(err.code).toBe(ErrorCode.TimedOut);
  });
});
