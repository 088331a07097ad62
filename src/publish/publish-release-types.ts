import type { Finding } from "../findings.js";
import type { ConfigIdentity } from "./assert-config-matches-bundle.js";
import type { SecretPattern } from "../sanitize/detect-secrets.js";
import type { PreflightCheck } from "./plan-publish-preflight.js";
import type { ProgressSink } from "./progress.js";
import type { PublishStep } from "./publish-journal.js";
import type { GitHubReleasePlan, HubPublishPlan } from "./types.js";
import type { VersionTagPlan } from "./version-policy.js";

export interface PublishReleaseParams {
  bundleDir: string;
  /**
   * Where the journal and the lock live; default `<bundle>/.model-release`. `release` keeps them
   * outside the bundle, which a rebuild replaces.
   */
  stateDir?: string;
  /** Resolved endpoints and tokens; a target that is absent is not published to. */
  targets: { hub?: { url: string; token: string }; github?: { apiUrl: string; token: string } };
  /** From the release config, when there is one. */
  options?: {
    hubPrivate?: boolean;
    /** Code export; `remote` defaults to the GitHub repository's clone URL. */
    code?: {
      remote?: string;
      sourceDir: string;
      paths: string[];
      branch: string;
      /** Notebook outputs: dropped (default) or kept and scanned like code. */
      notebookOutputs?: "strip" | "keep";
    };
    summary?: string;
    /** The config's `sanitize.patterns`, also applied to exported code. */
    secretPatterns?: SecretPattern[];
    /** Create the GitHub repository when it is missing (the config's `github.create`). */
    githubCreate?: boolean;
  };
  /**
   * The release config's identity, when `options` come from one: a config of another release
   * (name, Hub or GitHub repo) stops the publish before anything is sent (`CONFIG_BUNDLE_MISMATCH`).
   */
  config?: ConfigIdentity;
  /**
   * Fail the preflight when the Hub repo must be created and `options.hubPrivate` is not given:
   * `publish` without `--config` must not guess a new repo's visibility.
   */
  requireHubVisibility?: boolean;
  /** Publish although the release deletes every weight file of the previous one on the Hub. */
  allowWeightReplacement?: boolean;
  /** Publish although config.json names another architecture than the previous release's. */
  allowArchitectureChange?: boolean;
  allowOlder?: boolean;
  /** Identifies this publish in Hub commits and draft notes when no journal exists yet (CI: the workflow run). */
  runId?: string;
  /** Adopt the untagged commit or the draft of an interrupted publish of this version made elsewhere. */
  takeover?: boolean;
  dryRun?: boolean;
  fetch?: typeof fetch;
  onEvent?: ProgressSink;
  signal?: AbortSignal;
  /** The secret scan run over exported code; default the sanitizer's detectors with `options.secretPatterns`. */
  scanCode?: (path: string, content: string) => Finding[];
  /** Environment for the git subprocess (PATH, HOME, proxies); tokens are added separately. */
  gitEnv?: Record<string, string | undefined>;
  /** GitHub rate-limit pacing (1 s between writes); off for loopback stand-ins. */
  githubPace?: boolean;
  retry?: { retries?: number; baseDelayMs?: number };
  /**
   * The build's hash cache folder: the bundle is verified before anything is sent, and files
   * the build hashed and that are provably unchanged since are not read again. Without it every
   * file is re-hashed.
   */
  cacheDir?: string;
}

export interface PublishResult {
  name: string;
  version: string;
  tag: string;
  contentDigest: string;
  dryRun: boolean;
  versionPolicy: VersionTagPlan;
  hub?: { plan: HubPublishPlan; commit?: string; url: string };
  github?: { plan: GitHubReleasePlan; releaseUrl?: string; codeCommit?: string; assetsUploaded?: string[] };
  /** Steps a previous, interrupted run had finished (and the remote confirmed). */
  resumed: PublishStep[];
  /** Every check made before the first byte; a dry run returns failed ones instead of throwing. */
  preflight: PreflightCheck[];
  /** The staged bundle's signature, checked before any upload (absent for an unsigned bundle or a dry run). */
  signature?: { signer: string; files: number };
}
