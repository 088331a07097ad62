import type { Inventory } from "../checkpoint/types.js";
import type { LoadedReleaseConfig } from "../config/load-release-config.js";
import type { EvalReport } from "../evals/types.js";
import type { Finding } from "../findings.js";
import type { SanitizePlan } from "../sanitize/types.js";
import type { BundleRelease } from "./plan-manifest.js";
import type { BundleInput } from "./types.js";

/** Everything a build will do, as data: printable with `--dry-run`, testable without staging. */
export interface BuildPlan {
  config: LoadedReleaseConfig;
  version: string;
  checkpointDir: string;
  /**
   * The checkpoint as inspected, with the tensors of converted pickle weights counted in
   * (`planConvertedInventory`): what the card and reports describe.
   */
  inventory: Inventory;
  sanitize: SanitizePlan;
  release: BundleRelease;
  inputs: BundleInput[];
  /** Findings of the generated documents (card, licence, evaluation regressions); blocking ones stop `buildRelease`. */
  docsFindings: Finding[];
  evals?: EvalReport;
  /** What the release is checked against before staging: weights present, shapes and family match config.json. */
  sanity: { hasWeights: boolean; findings: Finding[] };
}
