/**
 * Writes the small sample checkpoints and files that let `release-configs/robot-coder.yaml` and
 * `release-configs/inspection-vlm.yaml` build out of the box (the real checkpoints live on the
 * cluster; pass `--checkpoint` to use them):
 *
 * - samples/robot-coder-checkpoint/: a tiny gpt-oss-shaped decoder (`GptOssForCausalLM`, bf16);
 * - samples/inspection-vlm-checkpoint/: a tiny Qwen2.5-VL-shaped model (bf16) with its processor config;
 * - samples/inspection-vlm-example.png: a generated picture of a machined part with a scratch,
 *   shipped by the inspection release as assets/inspection-vlm-example.png for the quick start;
 * - samples/evals/{robot-coder,inspection-vlm}/{release,base}/in-house.yaml: invented results.
 *
 * The weights are random bytes: the models are untrained. Deterministic: a re-run leaves
 * `git status` clean. Run: `npx tsx samples/make-samples.ts`.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { encodeSafetensors, type FixtureTensor, tinyLlamaTensors } from "../tests/fixtures/lib/write-safetensors.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
async function put(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

const VERSION = "4.57.1";
const VOCAB = 256;

async function tokenizer(dir: string, chatTemplate: string): Promise<void> {
  // The demo's byte-level tokenizer is small and valid; only the chat template differs.
  await copyFile(path.join(here, "demo-checkpoint", "tokenizer.json"), path.join(dir, "tokenizer.json"));
  await put(
    path.join(dir, "tokenizer_config.json"),
    json({
      bos_token: "<s>",
      eos_token: "</s>",
      unk_token: "<unk>",
      model_max_length: 16384,
      tokenizer_class: "PreTrainedTokenizerFast",
      chat_template: chatTemplate,
    }),
  );
}

async function robotCoder(): Promise<void> {
  const dir = path.join(here, "robot-coder-checkpoint");
  const h = 64;
  const experts = 4;
  const t: FixtureTensor[] = [{ name: "model.embed_tokens.weight", dtype: "BF16", shape: [VOCAB, h] }];
  for (let l = 0; l < 2; l++) {
    const p = `model.layers.${l}`;
    t.push(
      { name: `${p}.input_layernorm.weight`, dtype: "BF16", shape: [h] },
      { name: `${p}.self_attn.q_proj.weight`, dtype: "BF16", shape: [h, h] },
      { name: `${p}.self_attn.q_proj.bias`, dtype: "BF16", shape: [h] },
      { name: `${p}.self_attn.k_proj.weight`, dtype: "BF16", shape: [h / 2, h] },
      { name: `${p}.self_attn.k_proj.bias`, dtype: "BF16", shape: [h / 2] },
      { name: `${p}.self_attn.v_proj.weight`, dtype: "BF16", shape: [h / 2, h] },
      { name: `${p}.self_attn.v_proj.bias`, dtype: "BF16", shape: [h / 2] },
      { name: `${p}.self_attn.o_proj.weight`, dtype: "BF16", shape: [h, h] },
      { name: `${p}.self_attn.o_proj.bias`, dtype: "BF16", shape: [h] },
      { name: `${p}.self_attn.sinks`, dtype: "BF16", shape: [4] },
      { name: `${p}.post_attention_layernorm.weight`, dtype: "BF16", shape: [h] },
      { name: `${p}.mlp.router.weight`, dtype: "BF16", shape: [experts, h] },
      { name: `${p}.mlp.router.bias`, dtype: "BF16", shape: [experts] },
      { name: `${p}.mlp.experts.gate_up_proj`, dtype: "BF16", shape: [experts, h, 2 * h] },
      { name: `${p}.mlp.experts.gate_up_proj_bias`, dtype: "BF16", shape: [experts, 2 * h] },
      { name: `${p}.mlp.experts.down_proj`, dtype: "BF16", shape: [experts, h, h] },
      { name: `${p}.mlp.experts.down_proj_bias`, dtype: "BF16", shape: [experts, h] },
    );
  }
  t.push(
    { name: "model.norm.weight", dtype: "BF16", shape: [h] },
    { name: "lm_head.weight", dtype: "BF16", shape: [VOCAB, h] },
  );
  await put(path.join(dir, "model.safetensors"), encodeSafetensors(t, { format: "pt" }, 201));
  await put(
    path.join(dir, "config.json"),
    json({
      architectures: ["GptOssForCausalLM"],
      model_type: "gpt_oss",
      hidden_size: h,
      intermediate_size: h,
      head_dim: 16,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      num_local_experts: experts,
      num_experts_per_tok: 2,
      layer_types: ["sliding_attention", "full_attention"],
      sliding_window: 128,
      max_position_embeddings: 16384,
      rope_theta: 150000,
      vocab_size: VOCAB,
      tie_word_embeddings: false,
      torch_dtype: "bfloat16",
      transformers_version: VERSION,
    }),
  );
  await put(path.join(dir, "generation_config.json"), json({ bos_token_id: 1, eos_token_id: 2, transformers_version: VERSION }));
  await tokenizer(dir, "{% for m in messages %}<|start|>{{ m['role'] }}<|message|>{{ m['content'] }}<|end|>{% endfor %}{% if add_generation_prompt %}<|start|>assistant{% endif %}");
}

async function inspectionVlm(): Promise<void> {
  const dir = path.join(here, "inspection-vlm-checkpoint");
  const v = 32;
  const t: FixtureTensor[] = [{ name: "visual.patch_embed.proj.weight", dtype: "BF16", shape: [v, 3, 2, 14, 14] }];
  for (let b = 0; b < 2; b++) {
    const p = `visual.blocks.${b}`;
    t.push(
      { name: `${p}.norm1.weight`, dtype: "BF16", shape: [v] },
      { name: `${p}.norm2.weight`, dtype: "BF16", shape: [v] },
      { name: `${p}.attn.qkv.weight`, dtype: "BF16", shape: [3 * v, v] },
      { name: `${p}.attn.qkv.bias`, dtype: "BF16", shape: [3 * v] },
      { name: `${p}.attn.proj.weight`, dtype: "BF16", shape: [v, v] },
      { name: `${p}.attn.proj.bias`, dtype: "BF16", shape: [v] },
      { name: `${p}.mlp.gate_proj.weight`, dtype: "BF16", shape: [2 * v, v] },
      { name: `${p}.mlp.up_proj.weight`, dtype: "BF16", shape: [2 * v, v] },
      { name: `${p}.mlp.down_proj.weight`, dtype: "BF16", shape: [v, 2 * v] },
    );
  }
  t.push(
    { name: "visual.merger.ln_q.weight", dtype: "BF16", shape: [v] },
    { name: "visual.merger.mlp.0.weight", dtype: "BF16", shape: [4 * v, 4 * v] },
    { name: "visual.merger.mlp.2.weight", dtype: "BF16", shape: [64, 4 * v] },
    ...tinyLlamaTensors({ layers: 2, hidden: 64, intermediate: 128, vocab: VOCAB }),
  );
  await put(path.join(dir, "model.safetensors"), encodeSafetensors(t, { format: "pt" }, 301));
  await put(
    path.join(dir, "config.json"),
    json({
      architectures: ["Qwen2_5_VLForConditionalGeneration"],
      model_type: "qwen2_5_vl",
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 32768,
      vocab_size: VOCAB,
      vision_config: {
        depth: 2,
        hidden_size: v,
        intermediate_size: 2 * v,
        num_heads: 2,
        out_hidden_size: 64,
        patch_size: 14,
        spatial_merge_size: 2,
        temporal_patch_size: 2,
        in_chans: 3,
      },
      torch_dtype: "bfloat16",
      transformers_version: VERSION,
    }),
  );
  await put(
    path.join(dir, "preprocessor_config.json"),
    json({
      image_processor_type: "Qwen2VLImageProcessor",
      processor_class: "Qwen2_5_VLProcessor",
      min_pixels: 3136,
      max_pixels: 12845056,
      patch_size: 14,
      temporal_patch_size: 2,
      merge_size: 2,
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
    }),
  );
  await put(path.join(dir, "generation_config.json"), json({ bos_token_id: 1, eos_token_id: 2, transformers_version: VERSION }));
  await tokenizer(dir, "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
}

/** CRC-32 (PNG chunks). */
function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A grey machined housing under dome light with one bright diagonal scratch (RGB PNG). */
function partImage(w = 320, h = 240): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return ((seed >>> 16) & 0xff) / 255 - 0.5;
  };
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const dx = (x - w / 2) / (w * 0.38);
      const dy = (y - h / 2) / (h * 0.38);
      const inside = dx * dx + dy * dy < 1;
      const bore = dx * dx + dy * dy < 0.12;
      let g = inside ? (bore ? 55 : 150 + 40 * (1 - dx * dx - dy * dy)) : 35;
      // Turning marks: faint concentric rings on the face.
      if (inside && !bore) g += 6 * Math.sin(Math.sqrt(dx * dx + dy * dy) * 90);
      // The scratch: a thin bright line from upper left to lower right on the face.
      const d = Math.abs(0.55 * x - y + 20) / Math.hypot(0.55, 1);
      if (inside && !bore && x > 95 && x < 215 && d < 1.2) g = 235;
      g += noise() * 8;
      const v = Math.max(0, Math.min(255, Math.round(g)));
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = v;
      raw[o + 1] = v;
      raw[o + 2] = Math.min(255, v + 6);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

const ROBOT_EVALS = (role: "release" | "base", em: number, syntax: number, sim: number) => `# Sample in-house results for robot-release/robot-coder-120b (${role}; invented numbers, written by samples/make-samples.ts).
format: model-release/evals@1
harness:
  name: drl-bench
  version: 0.4.2
model: ${role === "release" ? "robot-release/robot-coder-120b" : "openai/gpt-oss-120b"}
benchmarks:
  - name: jobfile-to-drl
    description: Hyundai Hi5/Hi6 job file to Doosan DRL, held out by customer cell.
    dataset: {id: robot-release/robot-jobfiles-sample, config: hi5-to-drl, split: test}
    n_shot: 0
    samples: 412
    metrics:
      - {name: exact_match, value: ${em}, stderr: ${se(em, 412)}}
      - {name: drl_syntax_valid, value: ${syntax}, stderr: ${se(syntax, 412)}}
      - {name: sim_pass_rate, value: ${sim}, stderr: ${se(sim, 412)}}
      - {name: exact_match, slice: "robot model=Doosan H2017", value: ${r(em * 1.05)}}
      - {name: exact_match, slice: "robot model=Doosan M1013", value: ${r(em * 0.93)}}
      - {name: exact_match, slice: "program type=tending", value: ${r(em * 1.08)}}
      - {name: exact_match, slice: "program type=palletising", value: ${r(em * 1.03)}}
      - {name: exact_match, slice: "program type=welding", value: ${r(em * 0.86)}}
      - {name: exact_match, slice: "program length=under 50 lines", value: ${r(em * 1.11)}}
      - {name: exact_match, slice: "program length=50 lines or more", value: ${r(em * 0.85)}}
`;
const INSPECTION_EVALS = (role: "release" | "base", f1: number[], far: number) => `# Sample in-house results for robot-release/inspection-vlm-7b (${role}; invented numbers, written by samples/make-samples.ts).
format: model-release/evals@1
harness:
  name: qc-bench
  version: 1.1.0
model: ${role === "release" ? "robot-release/inspection-vlm-7b" : "Qwen/Qwen2.5-VL-7B-Instruct"}
benchmarks:
  - name: qc-bench
    description: Held-out images of the same lines, by production week.
    dataset: {id: robot-release/qc-bench, split: test}
    n_shot: 0
    samples: 1840
    metrics:
      - {name: f1_macro, value: ${r(f1.reduce((a, b) => a + b, 0) / f1.length)}, stderr: ${se(f1.reduce((a, b) => a + b, 0) / f1.length, 1840)}}
      - {name: false_accept_rate, value: ${far}, stderr: ${se(far, 1840)}}
      - {name: false_reject_rate, value: ${r(far * 2.4)}, stderr: ${se(far * 2.4, 1840)}}
${["scratch", "dent", "porosity", "burr", "missing weld"].map((c, i) => `      - {name: f1, slice: ${c}, value: ${f1[i]}}`).join("\n")}
      - {name: false_accept_rate, slice: "production line=machining 1", value: ${r(far * 0.8)}}
      - {name: false_accept_rate, slice: "production line=machining 2", value: ${r(far * 0.9)}}
      - {name: false_accept_rate, slice: "production line=welding 1", value: ${r(far * 1.4)}}
      - {name: false_accept_rate, slice: "lighting=dome", value: ${r(far * 0.85)}}
      - {name: false_accept_rate, slice: "lighting=low-angle ring", value: ${r(far * 1.2)}}
      - {name: false_accept_rate, slice: "shift=day", value: ${r(far * 0.95)}}
      - {name: false_accept_rate, slice: "shift=night", value: ${r(far * 1.1)}}
`;
function r(x: number): number {
  return Math.round(x * 10000) / 10000;
}
function se(p: number, n: number): number {
  return Math.round(Math.sqrt((p * (1 - p)) / (n - 1)) * 1e6) / 1e6;
}

await robotCoder();
await inspectionVlm();
await put(path.join(here, "inspection-vlm-example.png"), partImage());
await put(path.join(here, "evals/robot-coder/release/in-house.yaml"), ROBOT_EVALS("release", 0.612, 0.973, 0.881));
await put(path.join(here, "evals/robot-coder/base/in-house.yaml"), ROBOT_EVALS("base", 0.084, 0.412, 0.127));
await put(
  path.join(here, "evals/inspection-vlm/release/in-house.yaml"),
  INSPECTION_EVALS("release", [0.912, 0.874, 0.826, 0.801, 0.688], 0.021),
);
await put(
  path.join(here, "evals/inspection-vlm/base/in-house.yaml"),
  INSPECTION_EVALS("base", [0.512, 0.433, 0.301, 0.287, 0.154], 0.164),
);
