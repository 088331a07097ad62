/**
 * Realistic synthetic training pairs: a Hyundai job (Hi5 `NNNN.JOB` or Hi6 HRScript `.job`) and
 * the Doosan DRL program that does the same, with fictitious sensitive values planted where real
 * programs carry them (header comments, trailing comments, string literals, socket/Modbus
 * statements, TP-export identifiers). Deterministic from the seed, so the committed sample and
 * the tests agree. Every planted value is returned, so tests can prove none survives redaction.
 *
 * All names are invented; IPs are RFC 5737 documentation addresses; e-mails use `.example`.
 */

import { createSeededRng } from "./create-seeded-rng.js";
import { planSyntheticScenario } from "./plan-synthetic-scenario.js";
import { renderDrlProgram } from "./render-drl-program.js";
import { renderHi5Job } from "./render-hi5-job.js";
import { renderHi6Job } from "./render-hi6-job.js";
import { pad } from "./render-scenario-header.js";

export { SYNTHETIC_LISTS, SYNTHETIC_PART_NUMBER_PATTERNS } from "./plan-synthetic-scenario.js";

export interface SyntheticPair {
  /** Folder name of the pair, e.g. `pair-007`. */
  id: string;
  dialect: "hi5-job" | "hi6-job";
  hyundaiFile: string;
  hyundaiText: string;
  drlFile: string;
  drlText: string;
  /** Every sensitive value planted in this pair, verbatim. */
  planted: PlantedValue[];
}

export interface PlantedValue {
  category: string;
  value: string;
}

/**
 * Generates `count` pairs from `seed`. Pure and deterministic.
 */
export function generateSyntheticPairs(params: { seed: string | number; count: number }): SyntheticPair[] {
  const rng = createSeededRng(params.seed);
  const pairs: SyntheticPair[] = [];
  for (let k = 0; k < params.count; k++) {
    const dialect = rng.chance(0.5) ? "hi5-job" : "hi6-job";
    const sc = planSyntheticScenario(rng, dialect);
    const planted: PlantedValue[] = [
      { category: "CUSTOMER", value: sc.customer.full },
      { category: "CUSTOMER", value: sc.customer.short },
      { category: "PLANT", value: sc.plant },
      { category: "LINE", value: sc.line },
      { category: "PART", value: sc.part },
      { category: "PART", value: sc.sku },
      { category: "PERSON", value: sc.person },
      { category: "IP", value: sc.ctrlIp },
      { category: "IP", value: sc.drlIp },
      { category: "IP", value: sc.peerIp },
      { category: "SERIAL", value: sc.hySerial },
      { category: "SERIAL", value: sc.dsSerial },
      { category: "DATE", value: `${sc.date} ${sc.time}` },
      { category: "PATH", value: sc.path },
      { category: "CYCLE_TIME", value: sc.cycle },
      { category: "PHONE", value: sc.ext },
      { category: "PROGRAM_ID", value: sc.oemProgram },
      { category: "DATE", value: `gLoop${sc.date.replace(/-/g, "").slice(2)}${sc.time.replace(/:/g, "")}` },
    ];
    if (sc.korean) planted.push({ category: "PERSON", value: sc.korean });
    if (sc.email) planted.push({ category: "EMAIL", value: sc.email });
    const hyundaiFile = dialect === "hi5-job" ? `${pad(sc.jobNo, 4)}.JOB` : `${pad(sc.jobNo, 4)}_main.job`;
    pairs.push({
      id: `pair-${pad(k + 1, 3)}`,
      dialect,
      hyundaiFile,
      hyundaiText: dialect === "hi5-job" ? renderHi5Job(sc) : renderHi6Job(sc),
      drlFile: `job_${pad(sc.jobNo, 4)}.drl`,
      drlText: renderDrlProgram(sc, hyundaiFile),
      planted,
    });
  }
  return pairs;
}
