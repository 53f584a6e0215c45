// The QUIC transport drives @chainsafe/libp2p-quic's internal N-API layer (dist/src/napi.js, not in
// the package's "exports"): these tests fail loudly, naming what changed, if another version or a
// different layer is installed.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadQuinn, missingFromShape, quinnPackageDir, QUINN_PACKAGE, QUINN_VERSION, QUINN_SHAPE } from "../transports/quic-quinn";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the QUIC stack's N-API layer", () => {
  it("is pinned to the exact version the transport was written against", () => {
    const pj = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pj.optionalDependencies[QUINN_PACKAGE], `package.json must pin ${QUINN_PACKAGE} exactly`).toBe(QUINN_VERSION);
    const dir = quinnPackageDir();
    expect(dir, `${QUINN_PACKAGE} is not installed: npm ci`).not.toBeNull();
    expect(JSON.parse(readFileSync(join(dir!, "package.json"), "utf8")).version).toBe(QUINN_VERSION);
  });

  it("has every class and method the transport calls", async () => {
    const mod = await import(pathToFileURL(join(quinnPackageDir()!, "dist/src/napi.js")).href);
    const missing = missingFromShape(mod);
    expect(missing, `the N-API layer of ${QUINN_PACKAGE} changed shape; missing: ${missing.join(", ")}`).toEqual([]);
    await expect(loadQuinn()).resolves.toBeDefined();
  });

  it("names what a changed layer lacks", () => {
    class Stream {
      read() {}
    }
    const fake: Record<string, unknown> = { QuinnConfig: class {}, Stream };
    const missing = missingFromShape(fake);
    expect(missing).toContain("Server");
    expect(missing).toContain("Client");
    expect(missing).toContain("Stream.write");
    expect(missing).not.toContain("Stream.read");
    expect(Object.keys(QUINN_SHAPE)).toEqual(["QuinnConfig", "Server", "Client", "Connection", "Stream"]);
  });
});
