// Compile-time checks: every type of a remote, a client and a server comes from the schema.
import { describe, it, expectTypeOf } from "vitest";
import { cell, method, event, t, remote, serve, connect, loopbackPair, CellError } from "../core/host";
import type { Server } from "../core/host";

const Unit = t.enum(["C", "F"]);
const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit })),
  setTarget: method(t.struct({ value: t.f32, note: t.optional(t.string) }), t.bool),
  history: method(t.u8, t.array(t.struct({ at: t.u32, value: t.f64 }))),
  alarm: event(t.struct({ value: t.f32 }))
});
const [a, b] = loopbackPair();

describe("remote()", () => {
  const thermo = remote(Thermo, b);

  it("infers request and result types from the schema", () => {
    expectTypeOf(thermo.read).parameter(0).toEqualTypeOf<{ unit: "C" | "F" }>();
    expectTypeOf(thermo.read({ unit: "C" })).resolves.toEqualTypeOf<{ value: number; unit: "C" | "F" }>();
    expectTypeOf(thermo.setTarget({ value: 21 })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(thermo.setTarget).parameter(0).toEqualTypeOf<{ value: number; note?: string | undefined }>();
    expectTypeOf(thermo.history(3)).resolves.toEqualTypeOf<{ at: number; value: number }[]>();
    expectTypeOf(thermo.describe()).resolves.toEqualTypeOf<string>();
  });

  it("rejects wrong arguments and unknown methods", () => {
    // @ts-expect-error "K" is not a unit
    thermo.read({ unit: "K" });
    // @ts-expect-error a unit is a string, not a number
    thermo.read({ unit: 1 });
    // @ts-expect-error the unit field is missing
    thermo.read({});
    // @ts-expect-error read takes a request
    thermo.read();
    // @ts-expect-error no such method
    thermo.write({ unit: "C" });
    // @ts-expect-error alarm is an event, not a method
    thermo.alarm({ value: 1 });
    // @ts-expect-error history takes a u8 number
    thermo.history("3");
  });

  it("types events", () => {
    thermo.on("alarm", (v) => expectTypeOf(v).toEqualTypeOf<{ value: number }>());
    expectTypeOf(thermo.on("alarm", () => {})).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error read is not an event
    thermo.on("read", () => {});
    // @ts-expect-error the listener gets { value: number }
    thermo.on("alarm", (v: string) => v);
  });
});

describe("serve()", () => {
  it("types handlers and emit", () => {
    const server = serve(
      Thermo,
      {
        read: (req) => {
          expectTypeOf(req).toEqualTypeOf<{ unit: "C" | "F" }>();
          return { value: 1, unit: req.unit };
        },
        setTarget: async (req) => req.value > 0,
        history: (n) => [{ at: n, value: 1 }]
      },
      a
    );
    expectTypeOf(server).toEqualTypeOf<Server<typeof Thermo.members>>();
    server.emit("alarm", { value: 3 });
    // @ts-expect-error an alarm has a numeric value
    server.emit("alarm", { value: "hot" });
    // @ts-expect-error read is not an event
    server.emit("read", { unit: "C" });
  });

  it("rejects handlers that answer the wrong type or are missing", () => {
    serve(
      Thermo,
      {
        // @ts-expect-error unit must be "C" or "F"
        read: () => ({ value: 1, unit: "K" }),
        setTarget: () => true,
        history: () => []
      },
      a
    );
    // @ts-expect-error history is missing
    serve(Thermo, { read: () => ({ value: 1, unit: "C" as const }), setTarget: () => true }, a);
  });
});

describe("connect() (device style)", () => {
  it("types callbacks", () => {
    const client = connect(Thermo, b);
    client.call("read", { unit: "F" }, (err, res) => {
      expectTypeOf(err).toEqualTypeOf<CellError | null>();
      expectTypeOf(res).toEqualTypeOf<{ value: number; unit: "C" | "F" } | undefined>();
    });
    // @ts-expect-error "K" is not a unit
    client.call("read", { unit: "K" }, () => {});
    // @ts-expect-error no such method
    client.call("nope", {}, () => {});
    client.on("alarm", (v) => expectTypeOf(v).toEqualTypeOf<{ value: number }>());
  });
});
