/**
 * Resource budgets of a scan. Archives and compressed streams are the only inputs whose cost is
 * not bounded by their size on disk: a 20 MB zip of 40 members that inflate 535:1 each (under the
 * per-member ratio cap) is 10 GiB of text to scan. Exceeding a budget stops the scan of that file
 * and blocks it with a `scan-budget-exceeded` finding (fail closed: what was not scanned may hold
 * anything).
 */
export interface ScanBudget {
  /** Bytes inflated from zip members and gzip streams in one file. */
  inflatedBytesPerFile: number;
  /** Bytes inflated across the checkpoint. */
  inflatedBytesPerCheckpoint: number;
  /** Wall-clock time spent scanning one file, in milliseconds. */
  msPerFile: number;
  /** Wall-clock time spent scanning the whole checkpoint, in milliseconds. */
  msPerCheckpoint: number;
}

export const DEFAULT_SCAN_BUDGET: ScanBudget = {
  // No file that a release publishes is compressed; compressed archives in a checkpoint are
  // training leftovers (dropped) or unknown files (blocked), and torch zips store their members
  // uncompressed. 64 MiB covers a zipped code or log archive many times over and scans in
  // seconds even on a loaded machine (text scans at 5-50 MB/s per core).
  inflatedBytesPerFile: 64 * 1024 * 1024,
  // Four such files: a checkpoint folder with more compressed content than that is not a model.
  inflatedBytesPerCheckpoint: 256 * 1024 * 1024,
  // The scanner reads 20-200 MB/s per core; ten minutes is several GB of printable strings for
  // one file, far beyond any metadata file, so only hostile inputs reach it.
  msPerFile: 10 * 60 * 1000,
  // An hour for the whole checkpoint: CI jobs time out around then anyway; better a finding.
  msPerCheckpoint: 60 * 60 * 1000,
};

const MIB = 1024 * 1024;
const MINUTE = 60 * 1000;

/** The budgets of `sanitize.scan_budget` (MiB and minutes), each defaulting to `DEFAULT_SCAN_BUDGET`. */
export function scanBudgetFromConfig(
  c:
    | {
        inflated_mib_per_file?: number;
        inflated_mib_per_checkpoint?: number;
        minutes_per_file?: number;
        minutes_per_checkpoint?: number;
      }
    | undefined,
): ScanBudget {
  const d = DEFAULT_SCAN_BUDGET;
  return {
    inflatedBytesPerFile:
      c?.inflated_mib_per_file !== undefined ? c.inflated_mib_per_file * MIB : d.inflatedBytesPerFile,
    inflatedBytesPerCheckpoint:
      c?.inflated_mib_per_checkpoint !== undefined ? c.inflated_mib_per_checkpoint * MIB : d.inflatedBytesPerCheckpoint,
    msPerFile: c?.minutes_per_file !== undefined ? c.minutes_per_file * MINUTE : d.msPerFile,
    msPerCheckpoint: c?.minutes_per_checkpoint !== undefined ? c.minutes_per_checkpoint * MINUTE : d.msPerCheckpoint,
  };
}

/** Thrown inside a file's scan when a budget runs out; `scanFile` turns it into a finding. */
export class ScanBudgetExceeded extends Error {
  readonly what: "inflated bytes" | "time";
  readonly scope: "file" | "checkpoint";
  readonly limit: number;
  constructor(what: "inflated bytes" | "time", scope: "file" | "checkpoint", limit: number) {
    super(`scan budget exceeded: ${what} per ${scope}`);
    this.name = "ScanBudgetExceeded";
    this.what = what;
    this.scope = scope;
    this.limit = limit;
  }
}

/** What one file's scan has used, and its limits (computed when the file's scan starts). */
export interface ScanMeter {
  inflated: number;
  /** Inflated bytes this file may use: the per-file budget, or what the checkpoint has left. */
  inflateCap: number;
  inflateScope: "file" | "checkpoint";
  /** Epoch milliseconds after which the scan stops. */
  deadline: number;
  deadlineScope: "file" | "checkpoint";
  limits: ScanBudget;
}

/**
 * The meter of one file: `checkpointInflated` bytes were already inflated by earlier files and
 * `checkpointDeadline` (epoch ms) ends the whole checkpoint's scan.
 */
export function startScanMeter(
  limits: ScanBudget,
  checkpointInflated: number,
  checkpointDeadline: number,
  now = Date.now(),
): ScanMeter {
  const left = limits.inflatedBytesPerCheckpoint - checkpointInflated;
  const fileDeadline = now + limits.msPerFile;
  return {
    inflated: 0,
    inflateCap: Math.max(0, Math.min(limits.inflatedBytesPerFile, left)),
    inflateScope: left < limits.inflatedBytesPerFile ? "checkpoint" : "file",
    deadline: Math.min(fileDeadline, checkpointDeadline),
    deadlineScope: checkpointDeadline < fileDeadline ? "checkpoint" : "file",
    limits,
  };
}

/** Counts `n` inflated bytes; throws `ScanBudgetExceeded` when they pass the cap. */
export function chargeInflated(meter: ScanMeter, n: number): void {
  if (meter.inflated + n > meter.inflateCap) {
    throw new ScanBudgetExceeded(
      "inflated bytes",
      meter.inflateScope,
      meter.inflateScope === "file" ? meter.limits.inflatedBytesPerFile : meter.limits.inflatedBytesPerCheckpoint,
    );
  }
  meter.inflated += n;
}

/** Throws `ScanBudgetExceeded` when the scan's time is up. */
export function checkDeadline(meter: ScanMeter): void {
  if (Date.now() > meter.deadline) {
    throw new ScanBudgetExceeded(
      "time",
      meter.deadlineScope,
      meter.deadlineScope === "file" ? meter.limits.msPerFile : meter.limits.msPerCheckpoint,
    );
  }
}
