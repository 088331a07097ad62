import { hasLiteral } from "./text-has.js";
import { isRandomLooking } from "./rule-helpers.js";
import type { Rule } from "./types.js";

/**
 * Vendor token formats, after gitleaks' default rules (config/gitleaks.toml, MIT) and secretlint's
 * recommend preset (MIT) for the providers an ML team touches. Each rule is gated on a literal
 * every match contains, and placeholder bodies (`hf_xxxx…`, `…EXAMPLE`) are rejected by an
 * entropy gate as gitleaks does.
 */

// A token ends where a token character cannot continue it (`hf_…_h_prio` is an identifier).
const END = "(?![A-Za-z0-9_-])";
const random =
  (min = 3) =>
  (value: string) =>
    isRandomLooking(value, min);

export const PROVIDER_RULES: Rule[] = [
  {
    id: "hf-token",
    family: "huggingface",
    severity: "block",
    message: "Hugging Face access token",
    runLiterals: ["hf_", "api_org_"],
    re: new RegExp(`(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{30,40}${END}`, "g"),
    accept: random(2.5),
  },
  {
    id: "github-token",
    family: "github",
    severity: "block",
    message: "GitHub token",
    runLiterals: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    re: /(?<![A-Za-z0-9])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
    accept: random(3),
  },
  {
    id: "gitlab-token",
    family: "gitlab",
    severity: "block",
    message: "GitLab token",
    gate: (t) =>
      (hasLiteral(t, "gl") && /gl(?:pat|dt|ft|rt|cbt|imt|agent|oas|ptt|soat|ffct)-/.test(t)) ||
      hasLiteral(t, "GR1348941") ||
      hasLiteral(t, "_gitlab_session="),
    re: /(?<![A-Za-z0-9])(?:glpat-[\w-]{20,300}(?:\.[0-9a-z]{9})?|gl(?:dt|ft|rt|soat|ffct)-[\w-]{20,300}|glcbt-[0-9a-zA-Z]{1,5}_[\w-]{20}|glimt-[\w-]{25}|glagent-[\w-]{50}|gloas-[\w-]{64}|glptt-[0-9a-f]{40}|GR1348941[\w-]{20}|(?<=_gitlab_session=)[0-9a-z]{32})(?![\w-])/g,
    accept: random(3),
  },
  {
    id: "anthropic-api-key",
    family: "anthropic",
    severity: "block",
    message: "Anthropic API key",
    runLiterals: ["sk-ant-"],
    re: new RegExp(`(?<![A-Za-z0-9])sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA${END}`, "g"),
  },
  {
    id: "openai-api-key",
    family: "openai",
    severity: "block",
    message: "OpenAI API key",
    // The `T3BlbkFJ` marker ("OpenAI" in base64) is in every key issued before 2025; project,
    // service-account and admin keys also have a prefix; legacy user keys are 48 characters.
    runLiterals: ["T3BlbkFJ", "sk-"],
    re: new RegExp(
      `(?<![A-Za-z0-9_-])(?:sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{48}|[A-Za-z0-9_-]{2,200}T3BlbkFJ[A-Za-z0-9_-]{10,200})${END}`,
      "g",
    ),
    accept: random(3),
  },
  {
    id: "gcp-api-key",
    family: "google",
    severity: "block",
    message: "Google API key",
    runLiterals: ["AIza"],
    re: /(?<![A-Za-z0-9_-])AIza[\w-]{35}(?![A-Za-z0-9_-])/g,
    accept: random(3.5),
  },
  {
    id: "gcp-service-account",
    family: "google",
    severity: "block",
    message: "Google Cloud service-account key file",
    gate: (t) => hasLiteral(t, "service_account"),
    re: /"type"\s*:\s*"service_account"/g,
  },
  {
    id: "gcp-service-account",
    family: "google",
    severity: "block",
    message: "Google Cloud service-account private key id",
    gate: (t) => hasLiteral(t, "private_key_id"),
    re: /"private_key_id"\s*:\s*"([0-9a-f]{40})"/g,
    group: 1,
  },
  {
    id: "azure-ad-client-secret",
    family: "azure",
    severity: "block",
    message: "Azure AD client secret",
    gate: (t) => hasLiteral(t, "Q~"),
    re: /(?<![A-Za-z0-9_~.-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    accept: random(3),
  },
  {
    id: "azure-storage-key",
    family: "azure",
    severity: "block",
    message: "Azure storage account key or shared access key",
    // Connection strings (`AccountKey=…`, `SharedAccessKey=…`); `AZURE_STORAGE_KEY: …` is a key
    // name, found by `password-assignment`. One literal, so one pass over text without it.
    gate: (t) => hasLiteral(t, "Key="),
    re: /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,88}={0,2})/g,
    group: 1,
    accept: random(3.5),
  },
  {
    id: "azure-sas-token",
    family: "azure",
    severity: "block",
    message: "Azure shared access signature",
    gate: (t) => hasLiteral(t, "sig="),
    re: /(?<=[?&;]sig=)[A-Za-z0-9%+/]{30,120}={0,2}/g,
  },
  {
    id: "aws-access-key-id",
    family: "aws",
    severity: "block",
    message: "AWS access key id",
    runLiterals: ["A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA"],
    re: /(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z2-7]{16}(?![A-Z0-9])/g,
    // AWS's documentation keys end in EXAMPLE (gitleaks' allowlist).
    accept: (v) => !v.endsWith("EXAMPLE") && isRandomLooking(v, 3),
  },
  {
    id: "aws-bedrock-api-key",
    family: "aws",
    severity: "block",
    message: "Amazon Bedrock API key",
    runLiterals: ["ABSK", "bedrock-api-key-"],
    re: /(?<![A-Za-z0-9])(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%-]*)/g,
    accept: (v) => !v.includes("EXAMPLE"),
  },
  {
    id: "slack-token",
    family: "slack",
    severity: "block",
    message: "Slack token",
    gate: (t) => (hasLiteral(t, "xox") && /xox[abposre][-.]/.test(t)) || hasLiteral(t, "xapp-"),
    // gitleaks' Slack rules as one alternation: bot, legacy bot, user, legacy, workspace, app,
    // configuration access and refresh tokens. Bare `xoxb-12345-abcd234` examples are not tokens.
    re: /(?<![A-Za-z0-9])(?:xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*|xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}|xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}|xox[os]-\d+-\d+-\d+-[a-fA-F\d]+|xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}|xapp-\d-[A-Za-z0-9]+-\d+-[a-z0-9]+|xoxe\.xox[bp]-\d-[A-Za-z0-9]{163,166}|xoxe-\d-[A-Za-z0-9]{146})/g,
    accept: random(2.5),
  },
  {
    id: "slack-webhook",
    family: "slack",
    severity: "block",
    message: "Slack webhook URL",
    gate: (t) => hasLiteral(t, "hooks.slack.com/"),
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,80}/g,
  },
  {
    id: "stripe-key",
    family: "stripe",
    severity: "block",
    message: "Stripe secret or restricted key",
    gate: (t) =>
      ((hasLiteral(t, "_test_") || hasLiteral(t, "_live_") || hasLiteral(t, "_prod_")) &&
        /(?:sk|rk)_(?:test|live|prod)_/.test(t)) ||
      hasLiteral(t, "whsec_"),
    re: new RegExp(
      `(?<![A-Za-z0-9])(?:(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}|whsec_[a-zA-Z0-9]{32,})${END}`,
      "g",
    ),
    accept: random(2.5),
  },
  {
    id: "npm-token",
    family: "npm",
    severity: "block",
    message: "npm access token",
    runLiterals: ["npm_"],
    re: new RegExp(`(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}${END}`, "g"),
    accept: random(2.5),
  },
  {
    id: "pypi-token",
    family: "pypi",
    severity: "block",
    message: "PyPI upload token",
    // The body is a macaroon whose base64 starts with the issuer (`pypi.org` or `test.pypi.org`).
    runLiterals: ["pypi-AgE"],
    re: /pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[\w-]{50,1000}/g,
  },
  {
    id: "docker-hub-token",
    family: "docker",
    severity: "block",
    message: "Docker Hub access token",
    runLiterals: ["dckr_"],
    re: new RegExp(`(?<![A-Za-z0-9])dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64}${END}`, "g"),
    accept: random(3),
  },
  {
    id: "neptune-api-token",
    family: "neptune",
    severity: "block",
    message: "Neptune API token",
    // base64 of `{"api_address":"…` or `{"api_url":"…`: the token is a JSON document.
    runLiterals: ["eyJhcGlf"],
    re: /(?<![A-Za-z0-9+/])eyJhcGlf(?:YWRkcmVzcyI6|dXJsIjoi)[A-Za-z0-9+/]{20,600}={0,2}/g,
  },
  {
    id: "jwt",
    family: "jwt",
    severity: "block",
    message: "JSON Web Token",
    runLiterals: ["eyJ"],
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{17,}\.eyJ[A-Za-z0-9_-]{14,}\.(?:[A-Za-z0-9_-]{10,}={0,2})?(?![A-Za-z0-9_-])/g,
    accept: random(3),
  },
  {
    id: "private-key",
    family: "private-key",
    severity: "block",
    message: "private key",
    gate: (t) => hasLiteral(t, "-----BEGIN"),
    // Bounded body: a truncated key (no END line) is still reported, up to 16 KiB of it.
    re: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,16384}?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g,
    // A body with no key material (`anything`, empty) is documentation (gitleaks' negatives).
    accept: (v) => /[A-Za-z0-9+/=]{16,}/.test(v.replace(/-----[^-]*-----/g, "").replace(/\\[nr]/g, "\n")),
  },
  {
    id: "private-key",
    family: "private-key",
    severity: "block",
    message: "PuTTY private key",
    gate: (t) => hasLiteral(t, "PuTTY-User-Key-File-"),
    re: /PuTTY-User-Key-File-\d:[\s\S]{0,8192}?Private-Lines:\s*\d+(?:\r?\n|\\r?\\n)[A-Za-z0-9+/=\r\n\\]{20,16384}/g,
  },
  {
    id: "url-credentials",
    family: "url-credentials",
    severity: "block",
    message: "URL with a password (scheme://user:password@host)",
    gate: (t) => hasLiteral(t, "@") && hasLiteral(t, "://"),
    anchor: /:\/\/[^\s/@:]{0,64}:[^\s/@]{1,128}@/g,
    re: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s/@:"'<>]{0,64}:([^\s/@"'<>]{1,128})@[A-Za-z0-9[]/g,
    group: 1,
    accept: (pw) =>
      !/^(?:\$\{?\w+\}?|\*+|x+|<[^>]*>|\{\{.*\}\}|%\(?\w+\)?s?|password|pass|passwd|secret|changeme|pwd)$/i.test(pw),
  },
];
