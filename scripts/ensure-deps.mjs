// Runs before `npm start` / `npm test`: installs the npm packages when node_modules is missing or
// older than package-lock.json, so both Quick start commands work on a fresh clone.
import { existsSync, statSync } from "node:fs";
import { execSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = root + "node_modules/.package-lock.json";
const lock = root + "package-lock.json";
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // `npm ci`: exactly what package-lock.json lists. The platform packages @matrixai/quic and
  // @chainsafe/libp2p-quic name but the registry does not have (darwin, win32, linux-arm64 for the
  // latter at 1.1.8) are overridden in package.json by scripts/unpublished-package, so the lock file
  // can list them.
  console.error("cell: installing npm packages (npm ci)...");
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}
