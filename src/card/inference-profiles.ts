/**
 * How each base family is actually run: sampling settings from the base model's own usage
 * recommendations, prompt rules, and the `transformers` release that first supports each
 * architecture. Keyed by the licence table's `key` (a test holds the two tables together).
 */

/** The code paths of the inference examples. */
export type InferenceFamily =
  | "gpt-oss"
  | "r1-distill"
  | "qwen-vl"
  | "llama-vision"
  | "mistral"
  | "qwen"
  | "llama"
  | "dinov2";

/** Sampling used by every snippet of a release; `temperature: 0` means greedy decoding. */
export interface Sampling {
  temperature: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
}

export interface InferenceProfile {
  family: InferenceFamily;
  sampling: Sampling;
  /** Where the sampling settings come from, for the card. */
  samplingSource: string;
  /** The base's recommendations say: no system prompt, every instruction in the user turn. */
  noSystemPrompt?: boolean;
  /** Prompt format, for the card's "Prompt format" section. */
  promptFormat: string;
  /** The same in Korean, for README.ko.md. */
  promptFormatKo: string;
}

const GREEDY_VISION: Sampling = { temperature: 0 };
const GREEDY_WHY =
  "greedy decoding (temperature 0): an inspection answer must be reproducible, so the same image always gets the same verdict";

const PROFILES: Record<string, InferenceProfile> = {
  "gpt-oss": {
    family: "gpt-oss",
    sampling: { temperature: 1, top_p: 1 },
    samplingSource: "OpenAI's recommendation for gpt-oss",
    promptFormatKo:
      "gpt-oss는 **harmony** 채팅 형식을 씁니다. 토크나이저와 함께 배포되는 채팅 템플릿이 형식을 만들어 주므로 프롬프트를 직접 조립하지 마십시오. 시스템 메시지로 추론 강도(`low`, `medium`, `high`; 예제는 `reasoning_effort`로 `medium`을 전달)를 정합니다. 모델은 최종 사용자에게 보여 주지 않는 추론 과정을 `analysis` 채널에, 답을 `final` 채널에 씁니다. 예제는 `final` 채널만 출력합니다.",
    promptFormat:
      "gpt-oss uses the **harmony** chat format, rendered by the chat template shipped with the tokenizer (never build the prompt by hand). The system message sets the reasoning effort (`low`, `medium` or `high`; the examples use `medium`, passed as `reasoning_effort`). The model writes its chain of thought on the `analysis` channel, which is not meant for end users, and the answer on the `final` channel; the examples print only the final channel.",
  },
  "r1-distill": {
    family: "r1-distill",
    sampling: { temperature: 0.6, top_p: 0.95 },
    samplingSource: "DeepSeek's usage recommendations for the R1 distills",
    noSystemPrompt: true,
    promptFormatKo:
      "DeepSeek의 R1 증류 모델 사용 권고에 따라 **시스템 프롬프트를 쓰지 않고** 모든 지시를 사용자 메시지에 넣습니다. 모델은 먼저 `<think> … </think>` 블록 안에서 추론한 뒤 답합니다. 모델이 이 블록을 건너뛰지 않도록 생성 프롬프트를 `<think>\\n`으로 시작하며, 예제는 `</think>` 뒤의 답만 출력합니다.",
    promptFormat:
      "Following DeepSeek's recommendations for the R1 distills, there is **no system prompt**: every instruction goes into the user message. The model first reasons inside a `<think> … </think>` block, then answers; the generation prompt starts with `<think>\\n` so that the model does not skip it, and the examples print only the text after `</think>`.",
  },
  "qwen-vl": {
    family: "qwen-vl",
    sampling: GREEDY_VISION,
    samplingSource: GREEDY_WHY,
    promptFormatKo:
      "프로세서의 채팅 템플릿이 만드는 ChatML 형식(`<|im_start|>user … <|im_end|>`)입니다. 사용자 턴 하나에 이미지를 먼저, 질문을 그다음에 넣습니다. 이미지는 `min_pixels`와 `max_pixels` 사이의 픽셀 예산(비전 패치의 배수)으로 크기가 조정되며, 예제의 예산으로는 12 MP 검사 이미지가 약 1 MP(시각 토큰 약 1,280개)로 줄어듭니다. 아주 작은 결함을 봐야 하면 메모리와 속도를 감수하고 `max_pixels`를 올리십시오.",
    promptFormat:
      "ChatML (`<|im_start|>user … <|im_end|>`), rendered by the processor's chat template: one user turn with the image first, then the question. Images are resized to a pixel budget between `min_pixels` and `max_pixels` (multiples of the vision patch); a 12 MP inspection image is scaled down to about 1 MP (about 1,280 visual tokens) by the examples' budget. Raise `max_pixels` for very small defects, at the cost of memory and speed.",
  },
  "llama-vision": {
    family: "llama-vision",
    sampling: GREEDY_VISION,
    samplingSource: GREEDY_WHY,
    promptFormatKo:
      '`AutoProcessor`가 적용하는 Llama 3.2 Vision 채팅 템플릿입니다. 사용자 턴 하나에 이미지를 **먼저**(`{"type": "image"}`), 질문을 그다음에 넣으며, 프롬프트당 이미지는 한 장입니다.',
    promptFormat:
      'The Llama 3.2 Vision chat template, applied by `AutoProcessor`: one user turn with the image **first**, then the question (`{"type": "image"}` before the text); one image per prompt.',
  },
  mistral: {
    family: "mistral",
    sampling: { temperature: 0.15 },
    samplingSource: "Mistral AI's recommendation for Devstral",
    promptFormatKo:
      "Tekken 토크나이저를 쓰는 Mistral instruct 형식(`[SYSTEM_PROMPT] … [/SYSTEM_PROMPT][INST] … [/INST]`)입니다. vLLM에서는 `mistral` 토크나이저 모드를 써야 `mistral_common`이 학습 때와 똑같이 프롬프트를 만듭니다.",
    promptFormat:
      "The Mistral instruct format with the Tekken tokenizer (`[SYSTEM_PROMPT] … [/SYSTEM_PROMPT][INST] … [/INST]`); with vLLM, use the `mistral` tokenizer mode so that `mistral_common` renders the prompt exactly as in training.",
  },
  qwen: {
    family: "qwen",
    sampling: { temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05 },
    samplingSource: "Qwen's best-practice settings for Qwen3-Coder",
    promptFormatKo:
      "토크나이저의 채팅 템플릿이 만드는 ChatML 형식(`<|im_start|>system … <|im_end|>`)입니다. 변환 규칙을 담은 시스템 메시지 다음에 프로그램을 담은 사용자 메시지를 넣습니다.",
    promptFormat:
      "ChatML (`<|im_start|>system … <|im_end|>`), rendered by the tokenizer's chat template; a system message with the conversion rules, then the user message with the program.",
  },
  llama: {
    family: "llama",
    sampling: { temperature: 0.6, top_p: 0.9 },
    samplingSource: "the Llama 3 instruct models' generation_config.json",
    promptFormatKo:
      "토크나이저가 적용하는 Llama 3 채팅 템플릿(`<|start_header_id|>system<|end_header_id|> … <|eot_id|>`)입니다. 변환 규칙을 담은 시스템 메시지 다음에 사용자 메시지를 넣습니다.",
    promptFormat:
      "The Llama 3 chat template (`<|start_header_id|>system<|end_header_id|> … <|eot_id|>`), rendered by the tokenizer; a system message with the conversion rules, then the user message.",
  },
  dinov2: {
    family: "dinov2",
    sampling: { temperature: 0 },
    samplingSource: "not applicable (a feature extractor does not sample)",
    promptFormatKo:
      "프롬프트가 없습니다. 모델은 이미지 프로세서가 크기를 조정하고 정규화한 이미지를 받아 패치마다 하나의 임베딩과 CLS 임베딩을 돌려줍니다.",
    promptFormat:
      "No prompt: the model takes an image, resized and normalised by its image processor, and returns one embedding per patch plus a CLS embedding.",
  },
};

/** Licence-table key → profile. Vision bases with a text family get their vision profile from the architecture. */
const BY_BASE_KEY: Record<string, keyof typeof PROFILES> = {
  "gpt-oss": "gpt-oss",
  "devstral-small": "mistral",
  "devstral-2": "mistral",
  "qwen2.5-vl-72b": "qwen-vl",
  "qwen2.5-vl-3b": "qwen-vl",
  "qwen2.5-vl": "qwen-vl",
  qwen3: "qwen",
  "llama-3.1": "llama",
  "llama-3.2": "llama",
  "llama-3.3": "llama",
  "deepseek-r1-distill-llama-8b": "r1-distill",
  "deepseek-r1-distill-llama-70b": "r1-distill",
  "deepseek-r1-distill-qwen": "r1-distill",
  dinov2: "dinov2",
};

/** The base keys that have a profile (the tests check that every licence row is here). */
export const PROFILED_BASE_KEYS: readonly string[] = Object.keys(BY_BASE_KEY);

/**
 * The inference profile of a release: by the base's licence key, refined by the checkpoint's
 * architecture (Qwen3-VL and Llama 3.2 Vision share a key with text models). Pure.
 */
export function planInferenceProfile(params: {
  baseKey?: string;
  architecture?: string;
  task: string;
}): InferenceProfile {
  const { baseKey, architecture = "", task } = params;
  if (task === "image-feature-extraction") return PROFILES.dinov2!;
  if (task === "image-text-to-text") {
    if (/^Mllama/.test(architecture) || baseKey === "llama-3.2") return PROFILES["llama-vision"]!;
    return PROFILES["qwen-vl"]!;
  }
  const key = baseKey ? BY_BASE_KEY[baseKey] : undefined;
  return PROFILES[key ?? "qwen"] ?? PROFILES.qwen!;
}

/**
 * The first `transformers` release that loads each architecture. The examples also need 4.56.0,
 * the release that renamed `torch_dtype` to `dtype`.
 */
export const TRANSFORMERS_MIN_BY_ARCHITECTURE: Readonly<Record<string, string>> = {
  LlamaForCausalLM: "4.43.0",
  MllamaForConditionalGeneration: "4.45.0",
  MistralForCausalLM: "4.34.0",
  Mistral3ForConditionalGeneration: "4.50.0",
  Qwen2ForCausalLM: "4.37.0",
  Qwen2_5_VLForConditionalGeneration: "4.49.0",
  Qwen3ForCausalLM: "4.51.0",
  Qwen3MoeForCausalLM: "4.51.0",
  Qwen3VLForConditionalGeneration: "4.57.0",
  Qwen3VLMoeForConditionalGeneration: "4.57.0",
  GptOssForCausalLM: "4.55.0",
  Dinov2Model: "4.31.0",
};
const DTYPE_KWARG = "4.56.0";

function cmp(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The minimum `transformers` the examples pin: the newest of the architecture's first release,
 * the `dtype` rename, and the release that saved the checkpoint (config.json `transformers_version`,
 * known to load it). Pure.
 */
export function minimumTransformers(params: { architecture?: string; savedWith?: string }): string {
  const candidates = [DTYPE_KWARG];
  const arch = params.architecture ? TRANSFORMERS_MIN_BY_ARCHITECTURE[params.architecture] : undefined;
  if (arch) candidates.push(arch);
  // Only plain release numbers: a dev build ("4.58.0.dev0") is not on PyPI.
  if (params.savedWith && /^\d+\.\d+\.\d+$/.test(params.savedWith)) candidates.push(params.savedWith);
  return candidates.reduce((a, b) => (cmp(a, b) >= 0 ? a : b));
}
