import { hasLiteral, hasLiteralAnyCase } from "./text-has.js";
import { isRandomLooking } from "./rule-helpers.js";
import type { Rule } from "./types.js";

/**
 * Token formats of the other services a training cluster holds keys for: model and inference
 * APIs used to generate or judge data (Groq, Replicate, OpenRouter, xAI, NVIDIA NGC, DeepSeek
 * and DashScope, Perplexity, Cerebras, Tavily, LangSmith, Pinecone), the alerting a long run posts
 * to (Discord, Telegram, Microsoft Teams), the platform around it (Databricks, DigitalOcean,
 * HashiCorp Vault and Terraform, Doppler, 1Password, age, Grafana, Sentry, Postman, Heroku,
 * Atlassian, Linear, Notion, SendGrid, Twilio, Shopify, Square, Google OAuth), and credentials
 * in HTTP headers and presigned URLs. Formats after gitleaks' default rules
 * (config/gitleaks.toml, MIT) where it has them, after the vendors' documented prefixes
 * otherwise. Each rule is gated on a literal every match holds, and placeholder bodies are
 * rejected by an entropy gate. Where the prefix alone names the vendor, the body's length is a
 * range around today's, so a key of next year's length is still found.
 */

const END = "(?![A-Za-z0-9_-])";
const START = "(?<![A-Za-z0-9_-])";
const random =
  (min = 3) =>
  (value: string) =>
    isRandomLooking(value, min);
/**
 * A token rule: the literals every match holds, the pattern, the entropy floor. A literal inside
 * a long run of token characters gates through the shared runs (`runLiterals`); one with a `.`
 * (`SG.`, `.atlasv1.`), which no run holds, gates on the whole text.
 */
const token = (
  id: string,
  family: string,
  message: string,
  literals: string[],
  body: string,
  minEntropy = 3,
): Rule => ({
  id,
  family,
  severity: "block",
  message,
  ...(literals.some((l) => l.includes("."))
    ? { gate: (t: string) => literals.some((l) => hasLiteral(t, l)) }
    : { runLiterals: literals }),
  re: new RegExp(`${START}(?:${body})${END}`, "g"),
  accept: random(minEntropy),
});

/** A placeholder where a credential goes: `$TOKEN`, `${TOKEN}`, `<token>`, `{{ token }}`, `xxxx`, `***`. */
const PLACEHOLDER = /^(?:\$\{?[\w.]+\}?|<[^>]*>|\{\{.*\}\}|%\w+%|[xX*.]+|\.\.\.|(?:your|my)[-_]?\w*)$/i;

export const SERVICE_RULES: Rule[] = [
  // Model and inference APIs.
  token("groq-api-key", "groq", "Groq API key", ["gsk_"], "gsk_[A-Za-z0-9]{48,64}"),
  token("replicate-api-token", "replicate", "Replicate API token", ["r8_"], "r8_[A-Za-z0-9_-]{32,44}"),
  token("openrouter-api-key", "openrouter", "OpenRouter API key", ["sk-or-"], "sk-or-v1-[a-f0-9]{64}"),
  token("xai-api-key", "xai", "xAI API key", ["xai-"], "xai-[A-Za-z0-9_]{70,96}"),
  token("nvidia-api-key", "nvidia", "NVIDIA API (NGC) key", ["nvapi-"], "nvapi-[A-Za-z0-9_-]{60,80}"),
  // DeepSeek and Alibaba DashScope (Qwen) keys: `sk-` and 32 lower-case hex digits.
  token(
    "sk-hex-api-key",
    "llm-api",
    "LLM API key (DeepSeek, DashScope/Qwen and other OpenAI-compatible services)",
    ["sk-"],
    "sk-[a-f0-9]{32}",
  ),
  token("perplexity-api-key", "perplexity", "Perplexity API key", ["pplx-"], "pplx-[A-Za-z0-9]{40,64}"),
  token("cerebras-api-key", "cerebras", "Cerebras API key", ["csk-"], "csk-[a-z0-9]{40,64}"),
  token("tavily-api-key", "tavily", "Tavily API key", ["tvly-"], "tvly-(?:dev-|prod-)?[A-Za-z0-9]{28,40}"),
  token("langsmith-api-key", "langsmith", "LangSmith API key", ["lsv2_"], "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),
  token("pinecone-api-key", "pinecone", "Pinecone API key", ["pcsk_"], "pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40,80}"),
  // Alerting.
  {
    id: "discord-webhook",
    family: "discord",
    severity: "block",
    message: "Discord webhook URL",
    gate: (t) => hasLiteral(t, "/api/webhooks/"),
    re: /discord(?:app)?\.com\/api\/webhooks\/\d{16,20}\/([A-Za-z0-9_-]{60,70})/g,
    group: 1,
    accept: random(3),
  },
  {
    id: "telegram-bot-token",
    family: "telegram",
    severity: "block",
    message: "Telegram bot token",
    gate: (t) => hasLiteral(t, ":AA"),
    re: /(?<![A-Za-z0-9_:-])\d{8,10}:(AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g,
    group: 1,
    accept: random(3),
  },
  {
    id: "teams-webhook",
    family: "microsoft",
    severity: "block",
    message: "Microsoft Teams incoming webhook URL",
    gate: (t) => hasLiteral(t, "webhook.office.com"),
    re: /[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@/-]{50,300}/gi,
  },
  // Platforms.
  token("databricks-token", "databricks", "Databricks access token", ["dapi"], "dapi[a-f0-9]{32}(?:-\\d)?"),
  token("digitalocean-token", "digitalocean", "DigitalOcean token", ["_v1_"], "do[opr]_v1_[a-f0-9]{64}"),
  token(
    "vault-token",
    "hashicorp",
    "HashiCorp Vault token",
    ["hvs.", "hvb."],
    "hvs\\.[\\w-]{90,120}|hvb\\.[\\w-]{138,300}",
  ),
  token(
    "terraform-cloud-token",
    "hashicorp",
    "Terraform Cloud token",
    [".atlasv1."],
    "[a-z0-9]{14}\\.atlasv1\\.[a-z0-9_=-]{60,70}",
  ),
  token("doppler-token", "doppler", "Doppler token", ["dp."], "dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}"),
  token(
    "1password-token",
    "1password",
    "1Password service-account token",
    ["ops_eyJ"],
    "ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
  ),
  {
    id: "age-secret-key",
    family: "age",
    severity: "block",
    message: "age secret key",
    runLiterals: ["AGE-SECRET-KEY-1"],
    re: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/g,
  },
  token(
    "grafana-token",
    "grafana",
    "Grafana token",
    ["glc_", "glsa_"],
    "glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}",
  ),
  token(
    "sentry-token",
    "sentry",
    "Sentry token",
    ["sntryu_", "sntrys_"],
    "sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/=_]{60,400}",
  ),
  token("postman-api-key", "postman", "Postman API key", ["PMAK-"], "PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
  token("heroku-api-key", "heroku", "Heroku API key", ["HRKU-"], "HRKU-AA[0-9a-zA-Z_-]{58}"),
  token("atlassian-api-token", "atlassian", "Atlassian API token", ["ATATT3"], "ATATT3[A-Za-z0-9_=-]{186}"),
  token("linear-api-key", "linear", "Linear API key", ["lin_api_"], "lin_api_[A-Za-z0-9]{36,48}"),
  token(
    "notion-token",
    "notion",
    "Notion integration token",
    ["ntn_", "secret_"],
    "ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43}",
    3.5,
  ),
  token("sendgrid-api-key", "sendgrid", "SendGrid API key", ["SG."], "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}"),
  token("twilio-api-key", "twilio", "Twilio API key", ["SK"], "SK[0-9a-f]{32}"),
  token(
    "shopify-token",
    "shopify",
    "Shopify access token",
    ["shpat_", "shpca_", "shppa_", "shpss_"],
    "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
  ),
  token(
    "square-token",
    "square",
    "Square access token or secret",
    ["sq0atp-", "sq0csp-", "EAAA"],
    "sq0atp-[\\w-]{22,60}|sq0csp-[\\w-]{43}|EAAA[\\w-]{60}",
  ),
  token("google-oauth-secret", "google", "Google OAuth client secret", ["GOCSPX-"], "GOCSPX-[A-Za-z0-9_-]{28}"),
  token("google-oauth-token", "google", "Google OAuth access token", ["ya29."], "ya29\\.[A-Za-z0-9_-]{50,2048}"),
  token("google-oauth-token", "google", "Google OAuth refresh token", ["1//0"], "1//0[A-Za-z0-9_-]{40,512}"),
  {
    id: "kaggle-api-key",
    family: "kaggle",
    severity: "block",
    message: "Kaggle API key (kaggle.json)",
    gate: (t) => hasLiteral(t, "username"),
    re: /"username"\s*:\s*"[^"\n]{1,64}"\s*,\s*"key"\s*:\s*"([a-f0-9]{32})"/g,
    group: 1,
    accept: random(3),
  },
  // Credentials in HTTP: an Authorization or API-key header with a literal value, and presigned URLs.
  {
    id: "http-auth-header",
    family: "http",
    severity: "block",
    message: "credential in an HTTP Authorization or API-key header",
    gate: (t) =>
      hasLiteralAnyCase(t, "authorization", /authorization/i) ||
      hasLiteralAnyCase(t, "api-key", /api-key/i) ||
      hasLiteralAnyCase(t, "api_key", /x-api_key/i),
    re: /\b(?:authorization|proxy-authorization)["']?\s*[:=]\s*["']?(?:bearer|token|basic|apikey|api-key)\s+([A-Za-z0-9._~+/=:-]{12,2048})|\bx-(?:api|auth)[-_]key["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{16,512})/gi,
    group: [1, 2],
    accept: (v) => !PLACEHOLDER.test(v) && isRandomLooking(v, 3),
  },
  {
    id: "presigned-url",
    family: "cloud-storage",
    severity: "block",
    message: "presigned storage URL (grants access until it expires)",
    gate: (t) => hasLiteral(t, "-Signature="),
    re: /[?&]X-(?:Amz|Goog)-Signature=([a-f0-9]{64,512})/g,
    group: 1,
  },
];
