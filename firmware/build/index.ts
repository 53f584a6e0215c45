// The device build's API: boards, bundles and manifests, and the pieces of a build the tests check.
// rollup.config.mjs, firmware/build/main.ts (npm run build:firmware), `cell build`, sim/, bench/ and the
// tests use it from here.
export { loadBoard, boardIds, BOARDS_DIR, UnknownBoardError, type Board, type BoardPort, type CodecName, type EngineFamily, type LinkKind } from "./board";
export {
  buildBundle,
  firmwareInputOptions,
  firmwareOutputOptions,
  rollupConfig,
  type BuildOptions,
  type BundleCell,
  type BundleInfo,
  type FirmwareInputOptions,
  type Manifest,
  type ManifestEntry
} from "./bundle";
export { buildFirmware } from "./command";
export { DeviceCodeError } from "./device-errors";
export { ADAPTERS, CODECS, halOf, boardModuleSource, codecList, entrySource, kalumaUartOptions, linkConfigSource, resolveEntry } from "./entry";
export {
  evaluateSchemaModule,
  featuresModuleSource,
  featuresOf,
  kindsModuleSource,
  kindsOf,
  schemaModuleSource,
  type AnnouncedCell,
  type BundleFeatures,
  type CellDef,
  type CompiledCellDef,
  type TypeDesc
} from "./schemas";
