// Runs before `npm start` / `npm test`: installs the npm packages when node_modules is missing or
// older than package-lock.json, so both Quick start commands work on a fresh clone.
import { existsSync, statSync } from "node:fs";
import { execSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = root + "node_modules/.package-lock.json";
const lock = root + "package-lock.json";
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // `npm install`, not `npm ci`: @matrixai/quic names platform packages that were never published
  // (darwin, win32), so the lock file cannot list them and `npm ci` refuses it as out of sync.
  console.error("cell: installing npm packages (npm install)...");
  execSync("npm install --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}
