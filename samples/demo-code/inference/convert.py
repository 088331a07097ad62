"""Convert a Hyundai Robotics job file to a Doosan Robotics DRL program with a released model."""

import argparse
import sys

from transformers import pipeline

PROMPT = "Convert this Hyundai Robotics job file to a Doosan Robotics DRL program.\n\n{source}\n\nDRL:\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job_file")
    parser.add_argument("--model", default="demo-org/robot-coder-demo")
    parser.add_argument("--revision", default="v1.0.0", help="the release tag to pin")
    args = parser.parse_args()

    with open(args.job_file, encoding="utf-8") as f:
        source = f.read()
    generate = pipeline("text-generation", model=args.model, revision=args.revision)
    out = generate(PROMPT.format(source=source), max_new_tokens=2048, do_sample=False, return_full_text=False)
    sys.stdout.write(out[0]["generated_text"])


if __name__ == "__main__":
    main()
