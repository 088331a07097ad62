"""Writes the demo's sample evaluation results (samples/evals/{release,base,previous}/).

lm-evaluation-harness results_*.json in the shape of lm_eval/result_schema.py (v0.4.x), and the
in-house YAML format (model-release/evals@1). The numbers are invented for the demo.
Run: python3 samples/evals/make-samples.py
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))

RUNS = {
    # role: (model, date stamp, unix date, gsm8k strict/flex, humaneval, arc acc/acc_norm, in-house)
    "release": ("demo-org/robot-coder-demo", "2026-11-01T10-00-00", 1793527200.0, (0.4511, 0.4602), 0.6280, (0.5572, 0.5811),
                {"j2d_em": 0.612, "j2d_syntax": "97.3%", "j2d_sim": 0.881, "d2j_em": 0.547}),
    "base": ("openai/gpt-oss-120b", "2026-10-01T10-00-00", 1790848800.0, (0.4670, 0.4750), 0.5915, (0.5631, 0.5887),
             {"j2d_em": 0.084, "j2d_syntax": "41.2%", "j2d_sim": 0.127, "d2j_em": 0.061}),
    "previous": ("demo-org/robot-coder-demo@v0.9.0", "2026-10-15T10-00-00", 1792058400.0, (0.4490, 0.4580), 0.6098, (0.5580, 0.5802),
                 {"j2d_em": 0.574, "j2d_syntax": "95.9%", "j2d_sim": 0.862, "d2j_em": 0.521}),
}

def se(p, n):
    return round((p * (1 - p) / (n - 1)) ** 0.5, 6)

for role, (model, stamp, unix, gsm, he, arc, ih) in RUNS.items():
    os.makedirs(os.path.join(HERE, role), exist_ok=True)
    res = {
        "results": {
            "arc_challenge": {"alias": "arc_challenge", "acc,none": arc[0], "acc_stderr,none": se(arc[0], 1172),
                               "acc_norm,none": arc[1], "acc_norm_stderr,none": se(arc[1], 1172)},
            "gsm8k": {"alias": "gsm8k", "exact_match,strict-match": gsm[0], "exact_match_stderr,strict-match": se(gsm[0], 1319),
                      "exact_match,flexible-extract": gsm[1], "exact_match_stderr,flexible-extract": se(gsm[1], 1319)},
            "humaneval": {"alias": "humaneval", "pass@1,create_test": he, "pass@1_stderr,create_test": se(he, 164)},
        },
        "group_subtasks": {"arc_challenge": [], "gsm8k": [], "humaneval": []},
        "configs": {
            "arc_challenge": {"task": "arc_challenge", "tag": ["ai2_arc"], "dataset_path": "allenai/ai2_arc", "dataset_name": "ARC-Challenge",
                              "training_split": "train", "validation_split": "validation", "test_split": "test", "num_fewshot": 0,
                              "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True},
                                              {"metric": "acc_norm", "aggregation": "mean", "higher_is_better": True}],
                              "output_type": "multiple_choice", "metadata": {"version": 1.0}},
            "gsm8k": {"task": "gsm8k", "tag": ["math_word_problems"], "dataset_path": "openai/gsm8k", "dataset_name": "main",
                      "training_split": "train", "test_split": "test", "num_fewshot": 5,
                      "metric_list": [{"metric": "exact_match", "aggregation": "mean", "higher_is_better": True, "ignore_case": True}],
                      "output_type": "generate_until", "generation_kwargs": {"until": ["Question:", "</s>", "<|im_end|>"], "do_sample": False, "temperature": 0.0},
                      "metadata": {"version": 3.0}},
            "humaneval": {"task": "humaneval", "dataset_path": "openai/openai_humaneval", "test_split": "test", "num_fewshot": 0,
                          "metric_list": [{"metric": "pass@1", "aggregation": "mean", "higher_is_better": True}],
                          "output_type": "generate_until", "generation_kwargs": {"until": ["\nclass", "\ndef", "\n#", "\nif", "\nprint"], "max_gen_toks": 1024, "do_sample": False},
                          "metadata": {"version": 1.0}},
        },
        "versions": {"arc_challenge": 1.0, "gsm8k": 3.0, "humaneval": 1.0},
        "n-shot": {"arc_challenge": 0, "gsm8k": 5, "humaneval": 0},
        "higher_is_better": {"arc_challenge": {"acc": True, "acc_norm": True}, "gsm8k": {"exact_match": True}, "humaneval": {"pass@1": True}},
        "n-samples": {"humaneval": {"original": 164, "effective": 164}, "gsm8k": {"original": 1319, "effective": 1319},
                      "arc_challenge": {"original": 1172, "effective": 1172}},
        "config": {"model": "vllm", "model_args": f"pretrained={model.split('@')[0]},tensor_parallel_size=8,dtype=bfloat16",
                   "batch_size": "auto", "batch_sizes": [], "device": None, "use_cache": None, "limit": None, "bootstrap_iters": 100000,
                   "gen_kwargs": None, "random_seed": 0, "numpy_seed": 1234, "torch_seed": 1234, "fewshot_seed": 1234},
        "git_hash": "4e7e0d4",
        "date": unix,
        "pretty_env_info": "PyTorch version: 2.9.0\nCUDA used to build PyTorch: 12.8\nGPU models and configuration: 8x NVIDIA B200",
        "transformers_version": "4.57.1",
        "lm_eval_version": "0.4.9.1",
        "upper_git_hash": None,
        "model_source": "vllm",
        "model_name": model.split("@")[0],
        "model_name_sanitized": model.split("@")[0].replace("/", "__"),
        "system_instruction": None,
        "system_instruction_sha": None,
        "fewshot_as_multiturn": False,
        "chat_template": None,
        "chat_template_sha": None,
        "task_hashes": {},
        "total_evaluation_time_seconds": "1843.2203",
    }
    with open(os.path.join(HERE, role, f"results_{stamp}.json"), "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, role, "in-house.yaml"), "w") as f:
        f.write(f"""# In-house robot-code benchmarks for {model} (invented numbers for the demo).
format: model-release/evals@1
harness:
  name: drl-bench
  version: 0.4.2
model: {model}
benchmarks:
  - name: jobfile-to-drl
    description: Hyundai Hi5/Hi6 job file to Doosan DRL, held out by customer cell.
    dataset: {{id: demo-org/jobfile-drl-bench, config: hi5-to-drl, split: test}}
    n_shot: 0
    samples: 412
    metrics:
      - {{name: exact_match, value: {ih['j2d_em']}, stderr: {se(ih['j2d_em'], 412)}}}
      - {{name: drl_syntax_valid, value: "{ih['j2d_syntax']}"}}
      - {{name: sim_pass_rate, value: {ih['j2d_sim']}}}
  - name: drl-to-jobfile
    description: Doosan DRL back to a Hyundai Hi6 job file.
    dataset: {{id: demo-org/jobfile-drl-bench, config: drl-to-hi6, split: test}}
    n_shot: 0
    samples: 206
    metrics:
      - {{name: exact_match, value: {ih['d2j_em']}, stderr: {se(ih['d2j_em'], 206)}}}
""")
