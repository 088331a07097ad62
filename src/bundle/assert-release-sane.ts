import { blockedError, inputError } from "../errors.js";
import { isBlocking, type Finding } from "../findings.js";

/**
 * Refuses to stage a release with no weights (`NO_WEIGHTS`, exit 7: an empty or wrong
 * `--checkpoint` must never become a release that deletes the previous one's weights) or with a
 * blocking sanity finding (`RELEASE_SANITY_BLOCKED`, exit 3: weights that do not match config.json,
 * a base model of another family).
 */
export function assertReleaseSane(params: { checkpointDir: string; hasWeights: boolean; findings: Finding[] }): void {
  if (!params.hasWeights)
    throw inputError("NO_WEIGHTS", `${params.checkpointDir} holds no weights to release`, {
      hint: "point --checkpoint (or the config's checkpoint) at the folder with the *.safetensors (or pytorch_model*.bin) files",
      location: { file: params.checkpointDir },
    });
  const blocking = params.findings.filter(isBlocking);
  if (blocking.length === 0) return;
  throw blockedError(
    "RELEASE_SANITY_BLOCKED",
    `the weights do not match what the release says they are:\n${blocking.map((f) => `  ${f.rule} (${f.file}${f.pointer ? ` ${f.pointer}` : ""}): ${f.message}`).join("\n")}`,
    {
      hint: "check --checkpoint, config.json and base_model; if it is right, accept the finding in sanitize.allow_findings with rule and a written reason (recorded in the manifest)",
      location: { file: "config.json" },
      details: { findings: blocking },
    },
  );
}
