// A package-lock.json for a project that depends on the SDK's packed tarball, so `npm ci --offline`
// installs it from the tarball and the npm cache alone. The npm cache holds tarballs, not the registry's
// package documents, so npm cannot resolve version ranges offline: the lock pins every package the SDK
// needs at the version (and integrity) the SDK's own lock pins, which are the tarballs in the cache.
import { readFileSync } from "node:fs";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  [key: string]: unknown;
}

/** The lock of a project named `name` whose package.json has `dependencies` (the SDK by `sdkSpec`) and `devDependencies`. */
export function offlineLock(
  sdkLockFile: string,
  name: string,
  sdkSpec: string,
  devDependencies: Record<string, string>
): Record<string, unknown> {
  const sdkLock = JSON.parse(readFileSync(sdkLockFile, "utf8")) as { packages: Record<string, LockEntry> };
  const root = sdkLock.packages[""];
  const packages: Record<string, unknown> = {
    "": { name, dependencies: { cell: sdkSpec }, devDependencies }
  };
  const sdk: LockEntry = { version: root.version, resolved: sdkSpec.replace(/^file:/, "file:"), license: root.license };
  for (const key of ["dependencies", "optionalDependencies", "bin", "engines"]) if (root[key]) sdk[key] = root[key];
  packages["node_modules/cell"] = sdk;
  // What the SDK needs at run time: every package its lock does not mark as for development only.
  for (const [path, entry] of Object.entries(sdkLock.packages)) {
    if (path === "" || !path.startsWith("node_modules/") || entry.dev) continue;
    if (entry.link) {
      // A platform package the SDK's lock overrides (not on the registry: @matrixai/quic's darwin and
      // win32 builds, @chainsafe/libp2p-quic's darwin, win32 and linux-arm64 ones); here it is what npm
      // would find it to be: an optional package for another platform.
      const platform = /-(darwin|win32|linux)(?:-(x64|arm64))?(?:-(gnu|musl))?(?:-[a-z]+)?$/.exec(path);
      const name = path.slice("node_modules/".length);
      const wanted = Object.values(sdkLock.packages).map((e) => (e.optionalDependencies as Record<string, string> | undefined)?.[name]);
      const version = wanted.find((v) => v !== undefined);
      if (platform && version) {
        const [, os, cpu, libc] = platform;
        packages[path] = {
          version,
          optional: true,
          os: [os],
          ...(cpu ? { cpu: [cpu] } : {}),
          ...(libc ? { libc: [libc === "gnu" ? "glibc" : libc] } : {})
        };
      }
      continue;
    }
    if (path.includes("/unpublished-package")) continue;
    packages[path] = entry;
  }
  return { name, lockfileVersion: 3, requires: true, packages };
}
