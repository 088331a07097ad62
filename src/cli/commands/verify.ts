import type { Command } from "commander";
import { labelSignedFiles } from "../../bundle/count-release-files.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { usageError, verifyError } from "../../errors.js";
import { printable, writeJson, writeLine, type CliContext } from "../context.js";

interface VerifyOptions {
  json?: boolean;
  jobs?: string;
  key?: string;
  identity?: string;
  issuer?: string;
  signature?: string;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description(
      "recompute every digest of a bundle and compare with manifest.json, SHA256SUMS and, given a key or identity, model.sig (exit 6 on any difference)",
    )
    .argument("<dir>", "bundle folder (from build, or downloaded with pull)")
    .option("--key <pem>", "public key the release was signed with (model.pub from the project); checks model.sig")
    .option(
      "--identity <workflow-ref>",
      "keyless: the signing workflow, e.g. https://github.com/ORG/REPO/.github/workflows/release.yml@refs/tags/v1.2.0",
    )
    .option("--issuer <url>", "keyless: the OIDC issuer, e.g. https://token.actions.githubusercontent.com")
    .option("--signature <file>", "signature file (default <dir>/model.sig)")
    .option("-j, --jobs <n>", "hashing threads (default: one per core)")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: VerifyOptions) => {
      const { verifyRelease } = await import("../../trust/verify-release.js");
      const jobs = opts.jobs === undefined ? undefined : Math.max(1, Number(opts.jobs) || 1);
      if (opts.key && (opts.identity || opts.issuer)) {
        throw usageError("VERIFY_TRUST_CONFLICT", "pass either --key or --identity with --issuer, not both", {
          hint: "key-signed releases verify with --key model.pub; keyless (GitHub Actions) ones with --identity and --issuer",
        });
      }
      if (!opts.key && (opts.identity === undefined) !== (opts.issuer === undefined)) {
        throw usageError(
          "VERIFY_TRUST_INCOMPLETE",
          `--${opts.identity === undefined ? "identity" : "issuer"} is missing: a keyless signature is checked against both`,
          {
            hint: "e.g. --identity https://github.com/ORG/REPO/.github/workflows/release.yml@refs/tags/v1.2.0 --issuer https://token.actions.githubusercontent.com",
          },
        );
      }
      let trust: import("../../trust/verify-model-signature.js").TrustPolicy | undefined;
      if (opts.key) {
        const file = path.resolve(ctx.cwd, opts.key);
        const publicKeyPem = await readFile(file).catch((cause: unknown) => {
          throw usageError(
            "PUBLIC_KEY_UNREADABLE",
            `cannot read the public key ${opts.key}: ${(cause as Error).message}`,
            { location: { file: opts.key as string }, hint: "pass the release's public key file (model.pub)", cause },
          );
        });
        trust = { kind: "key", publicKeyPem };
      } else if (opts.identity && opts.issuer) {
        trust = { kind: "identity", identity: opts.identity, issuer: opts.issuer };
      }
      const r = await verifyRelease({
        dir: path.resolve(ctx.cwd, dir),
        trust,
        signaturePath: opts.signature ? path.resolve(ctx.cwd, opts.signature) : undefined,
        concurrency: jobs,
        signal: ctx.signal,
      });
      const b = r.bundle;
      const sig = r.signature.status === "verified" ? r.signature.result : undefined;
      const json = {
        ok: r.ok,
        dir: r.dir,
        ...(b
          ? {
              version: b.manifest.version,
              checked: b.checked,
              missing: b.missing,
              extra: b.extra,
              changed: b.changed,
              contentDigestOk: b.contentDigestOk,
            }
          : {}),
        signature: sig
          ? {
              status: "verified",
              ok: sig.ok,
              subject: sig.subject,
              signer: sig.signer,
              signedFiles: sig.signedFiles,
              missing: sig.missing,
              extra: sig.extra,
              changed: sig.changed,
            }
          : { status: r.signature.status },
      };
      // On failure the error (with the same fields in `details`) is the one JSON document printed.
      if (opts.json && r.ok) writeJson(ctx, json);
      // File names come from the bundle (maybe a downloaded one): never printed raw.
      const safe = (s: string) => printable(ctx, s);
      const lines = [
        ...(b?.missing ?? []).map((p) => `missing: ${safe(p)}`),
        ...(b?.changed ?? []).map((c) =>
          c.reason === "content"
            ? `changed: ${safe(c.path)} (sha256 ${c.actualSha256.slice(0, 12)}…, expected ${c.expectedSha256.slice(0, 12)}…)`
            : `changed: SHA256SUMS line for ${safe(c.path)} disagrees with manifest.json`,
        ),
        ...(b?.extra ?? []).map((p) => `extra: ${safe(p)} (not in manifest.json)`),
        ...(b && !b.contentDigestOk ? ["changed: manifest.json contentDigest does not match its file list"] : []),
        ...(sig?.missing ?? []).map((p) => `signature: missing ${safe(p)}`),
        ...(sig?.changed ?? []).map(
          (c) =>
            `signature: changed ${safe(c.path)} (sha256 ${c.actual.slice(0, 12)}…, signed ${c.expected.slice(0, 12)}…)`,
        ),
        ...(sig?.extra ?? []).map((p) => `signature: extra ${safe(p)} (not signed)`),
      ];
      if (r.ok) {
        if (!opts.json) {
          if (b)
            writeLine(
              ctx.stdout,
              `ok: ${b.checked} files of ${printable(ctx, b.manifest.name)} ${printable(ctx, b.manifest.version)} match manifest.json (content digest ${b.manifest.contentDigest})`,
            );
          if (sig) {
            const who =
              sig.signer.kind === "key"
                ? `the key ${sig.signer.keyHint.slice(0, 16)}…`
                : `${printable(ctx, sig.signer.identity)} (issuer ${printable(ctx, sig.signer.issuer)})`;
            writeLine(
              ctx.stdout,
              `ok: model.sig verified: signed by ${who}, ${labelSignedFiles(sig.signedFiles)} match (root digest ${sig.subject.sha256})`,
            );
          }
        }
        // A signature nobody checked is not a pass: say so, on stderr so --json stays parseable.
        if (r.signature.status === "unchecked")
          writeLine(
            ctx.stderr,
            "warning: model.sig was NOT checked: pass --key <model.pub> or --identity <workflow-ref> --issuer <url> to verify who signed this release",
          );
        if (r.signature.status === "absent" && !opts.json)
          writeLine(ctx.stdout, "note: this bundle has no model.sig (unsigned release)");
        return;
      }
      if (!opts.json) for (const l of lines) writeLine(ctx.stderr, l);
      if (r.signature.status === "unchecked")
        writeLine(ctx.stderr, "warning: model.sig was NOT checked (no --key or --identity/--issuer)");
      const what = sig && !sig.ok && b?.ok !== false ? "the signature" : "manifest.json";
      throw verifyError(
        sig && !sig.ok ? "SIGNATURE_MISMATCH" : "BUNDLE_MISMATCH",
        `${r.dir}: ${lines.length} difference${lines.length === 1 ? "" : "s"} from ${what}: ${lines.slice(0, 5).join("; ")}${lines.length > 5 ? "; …" : ""}`,
        {
          hint: "re-download the release (model-release pull) or rebuild the bundle; a changed weight file means the copy is not the released one",
          location: { file: r.dir },
          details: json,
        },
      );
    });
}
