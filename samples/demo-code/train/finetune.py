"""Supervised fine-tuning: Hyundai job file -> Doosan DRL, one JSONL record per program pair."""

import argparse

from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer, TrainingArguments

PROMPT = "Convert this Hyundai Robotics job file to a Doosan Robotics DRL program.\n\n{source}\n\nDRL:\n"


def build_examples(tokenizer, record, max_length):
    text = PROMPT.format(source=record["hyundai_job"]) + record["doosan_drl"] + tokenizer.eos_token
    return tokenizer(text, truncation=True, max_length=max_length)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-model", default="openai/gpt-oss-120b")
    parser.add_argument("--data", default="demo-org/robot-jobfiles-sample")
    parser.add_argument("--output-dir", default="out")
    parser.add_argument("--max-length", type=int, default=4096)
    # BEGIN-INTERNAL
    # Cluster defaults, not part of the public release.
    parser.add_argument("--scratch", default="/cluster/scratch/robot-coder")
    # END-INTERNAL
    args = parser.parse_args()

    tokenizer = AutoTokenizer.from_pretrained(args.base_model)
    model = AutoModelForCausalLM.from_pretrained(args.base_model, torch_dtype="bfloat16")
    data = load_dataset(args.data, split="train").map(
        lambda r: build_examples(tokenizer, r, args.max_length), remove_columns=["hyundai_job", "doosan_drl"]
    )
    trainer = Trainer(
        model=model,
        args=TrainingArguments(
            output_dir=args.output_dir,
            learning_rate=2e-4,
            num_train_epochs=3,
            per_device_train_batch_size=4,
            bf16=True,
            save_strategy="epoch",
            report_to=[],
        ),
        train_dataset=data,
        data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
    )
    trainer.train()
    trainer.save_model(args.output_dir)


if __name__ == "__main__":
    main()
