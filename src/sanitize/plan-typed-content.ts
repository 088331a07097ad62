import { readFile } from "node:fs/promises";
import { Template } from "@huggingface/jinja";
import { parseSentencePieceModel } from "../checkpoint/parse-sentencepiece-model.js";
import type { InventoryFile } from "../checkpoint/types.js";
import type { FileRole } from "../bundle/types.js";
import { isReleaseError } from "../errors.js";
import type { Finding } from "../findings.js";
import type { SecretPattern } from "./detect-secrets.js";
import { scanContent } from "./scan-checkpoint.js";

/** Tokenizer models and templates are read whole; real ones are a few MB (Gemma's is 4 MB). */
const MAX_TYPED_BYTES = 64 * 1024 * 1024;
/** A tiktoken line: the token's bytes in base64, a space, its rank. */
const TIKTOKEN_LINE = /^([A-Za-z0-9+/]*={0,2}) (\d{1,10})$/;

/**
 * Files whose name promises a format that sniffing alone cannot confirm (a SentencePiece model is
 * "binary", a template or a tiktoken list is "text"): each must parse as what it claims, or it
 * blocks (`name-content-mismatch`), so a pickle, a gzip stream or scrambled bytes cannot ship
 * under a tokenizer's name. What parses is scanned in its decoded form (SentencePiece pieces and
 * trainer settings, tiktoken tokens), as published content: findings block.
 */
export async function planTypedContent(
  file: InventoryFile,
  role: FileRole,
  scan: { patterns: SecretPattern[]; secretlint: boolean; signal?: AbortSignal },
): Promise<Finding[]> {
  if (role !== "tokenizer" || file.path.includes("/")) return [];
  const kind = /^(?:tokenizer|spiece|sentencepiece(?:\.bpe)?)\.model$/.test(file.path)
    ? "sentencepiece"
    : /\.tiktoken(?:\.model)?$/.test(file.path)
      ? "tiktoken"
      : /\.jinja$/.test(file.path)
        ? "jinja"
        : file.path === "chat_template.json"
          ? "chat-template-json"
          : undefined;
  if (kind === undefined) return [];
  const mismatch = (what: string, offset?: number): Finding[] => [
    {
      rule: "name-content-mismatch",
      severity: "block",
      file: file.path,
      ...(offset !== undefined ? { offset } : {}),
      message: `named like a ${kind === "sentencepiece" ? "SentencePiece model" : kind === "tiktoken" ? "tiktoken vocabulary" : "chat template"} but ${what}. Replace the file with a valid one, or drop it in sanitize.drop with a reason.`,
    },
  ];
  if (file.size > MAX_TYPED_BYTES) return mismatch(`larger than the ${MAX_TYPED_BYTES} bytes any real one has`);
  const bytes = await readFile(file.absPath);
  const decoded = async (text: string, what: string): Promise<Finding[]> =>
    (await scanContent({ path: file.path, content: text, ...scan })).map((f) => ({
      ...f,
      // Lines and offsets are in the decoded text, not the file.
      offset: undefined,
      message: `${f.message} (in the ${what})`,
    }));

  if (kind === "sentencepiece") {
    try {
      const model = parseSentencePieceModel(bytes, file.path);
      return decoded([...model.pieces, ...model.strings].join("\n"), "decoded pieces and trainer settings");
    } catch (err) {
      if (!isReleaseError(err)) throw err;
      return mismatch("its content is not a SentencePiece ModelProto", err.location?.offset);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return mismatch("its content is not UTF-8 text");
  }
  if (kind === "tiktoken") {
    const tokens: string[] = [];
    let line = 0;
    for (const l of text.split("\n")) {
      line++;
      if (l === "") continue;
      const m = TIKTOKEN_LINE.exec(l);
      if (!m) return mismatch(`line ${line} is not 'base64 rank'`);
      tokens.push(Buffer.from(m[1]!, "base64").toString("utf8"));
    }
    if (tokens.length === 0) return mismatch("it holds no tokens");
    return decoded(tokens.join("\n"), "decoded tokens");
  }
  const templates: string[] = [];
  if (kind === "jinja") templates.push(text);
  else {
    // chat_template.json: { "chat_template": "..." } or a list of { name, template }.
    try {
      const doc = JSON.parse(text) as { chat_template?: unknown };
      const t = doc.chat_template;
      if (typeof t === "string") templates.push(t);
      else if (Array.isArray(t))
        for (const e of t as { template?: unknown }[]) if (typeof e?.template === "string") templates.push(e.template);
    } catch {
      // The JSON scan reports what is wrong with the document itself.
    }
    if (templates.length === 0) return mismatch("it holds no chat_template string");
  }
  for (const t of templates) {
    try {
      new Template(t);
    } catch {
      return mismatch("its text does not parse as a Jinja template");
    }
  }
  return [];
}
