/**
 * The detection engine lives in src/detect/ (one engine for checkpoints, dataset records and
 * code); this module keeps the sanitizer's import path for its callers.
 */
export * from "../detect/detect-secrets.js";
