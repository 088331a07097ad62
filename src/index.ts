/** Public library API: the same stages the CLI runs. */
export * from "./errors.js";
export * from "./config/schema.js";
export { readReleaseConfig, parseReleaseConfig, resolveConfigPath, type LoadedReleaseConfig } from "./config/load-release-config.js";
export { parseYamlWithSchema, type ConfigIssue } from "./config/parse-yaml-with-schema.js";
export { renderReleaseConfigJsonSchema } from "./config/render-json-schema.js";
export { openZip, isZipMagic, type ZipArchive, type ZipEntry } from "./checkpoint/zip/open-zip.js";
export { readPickleOps, type PickleOp, type PickleArg } from "./checkpoint/pickle/read-pickle-ops.js";
export { classifyPickleGlobal, type PickleGlobalVerdict } from "./checkpoint/pickle/classify-pickle-global.js";
export { scanPickle, type PickleScan, type PickleGlobal } from "./checkpoint/pickle/scan-pickle.js";
export { scanTorchFile, readTorchFilePickles, type TorchFileScan, type TorchFileFormat } from "./checkpoint/pickle/scan-torch-file.js";
export { extractPickleStrings, readTorchFileStrings, type PickleString } from "./checkpoint/pickle/extract-pickle-strings.js";
export {
  convertTorchToSafetensors, readTorchConversionPlan,
  type TorchConversionPlan, type TorchConversionResult, type PlannedTensor,
} from "./checkpoint/pickle/convert-torch-to-safetensors.js";
