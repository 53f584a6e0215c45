// `rollup -c`: builds one cell module for one board, without a manifest (the build itself is the typed
// module firmware/build/, which `npm run build:firmware`, `cell build`, sim/, bench/ and the tests use).
//
//   CELL_BOARD=esp32 CELL_ENTRY=examples/echo/echo.ts npx rollup -c
//   npm run build:firmware -- --board esp32 examples/echo/echo.ts      (with the manifest and sizes)
import { tsImport } from "tsx/esm/api";

const { rollupConfig } = await tsImport("./firmware/build/index.ts", import.meta.url);

export default () => rollupConfig(process.env.CELL_BOARD || "host", process.env.CELL_ENTRY || "examples/echo");
