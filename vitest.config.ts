import { defineConfig } from "vitest/config";

// Two projects: "unit" runs its files in parallel; "hardware" boots QEMU boards, and runs its files one
// at a time so two emulated boards never fight a 2-core machine for CPU and miss their deadlines.
const hardware = ["test/hardware/**/*.test.ts", "test/sim-*.test.ts", "engines/jerryscript/*.test.ts", "engines/espruino/**/*.test.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: ["node_modules/**", "dist/**", "build/**", ...hardware],
          typecheck: { enabled: true, include: ["**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
          testTimeout: 20000,
          hookTimeout: 60000
        }
      },
      {
        test: {
          name: "hardware",
          include: hardware,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60000,
          hookTimeout: 120000
        }
      }
    ]
  }
});
