"""Convert a Hyundai Hi5 job file to Doosan DRL with acme/Llama-robot-coder-deepseek-r1-distill-llama-70b.

    pip install "transformers>=4.57.1" accelerate

Generated robot code is untrusted: check it statically, run it in simulation, then on the real cell at reduced speed (ISO 10218). See the model card.
"""
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "acme/Llama-robot-coder-deepseek-r1-distill-llama-70b"
revision = "deepseek-r1-distill-llama-70b-v1.0.0"
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision, dtype="auto", device_map="auto")

job_file = """Program File Format Version : 1.6  MechType: 693(HS220-03)  TotalAxis: 6  AuxAxis: 0
S1   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A
     DO17=0                      ' gripper CLOSE valve off
     DO18=1                      ' gripper OPEN valve on
     WAIT DI21                   ' part present at infeed
S2   MOVE P,S=50%,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)
S3   MOVE L,S=250mm/sec,A=0,T=1  (1480.000,-350.000,760.000,180.000,0.000,0.000,&H0001)
     DO18=0                      ' OPEN valve off
     DO17=1                      ' CLOSE valve on -> grip part
     DELAY 0.4
     WAIT DI22                   ' gripper closed
S4   MOVE L,S=400mm/sec,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)
S5   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A
     END"""
# No system prompt (DeepSeek's recommendation): the rules go into the user message.
messages = [
    {"role": "user", "content": "You convert industrial robot programs. Answer with the converted program only, and mark every line you are unsure of with a VERIFY comment." + "\n\n" + "Convert this Hyundai Hi5 job file to a Doosan DRL program. Map DO17/DO18 to DO1/DO2 and DI21/DI22 to DI1/DI2, and keep the taught speeds." + "\n\n" + job_file},
]
prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
if not prompt.endswith("<think>\n"):
    prompt += "<think>\n"  # DeepSeek's recommendation: make the model start with its think block
inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
outputs = model.generate(**inputs, max_new_tokens=4096, do_sample=True, temperature=0.6, top_p=0.95)
text = tokenizer.decode(outputs[0][inputs["input_ids"].shape[-1]:], skip_special_tokens=True)
reasoning, _, drl = text.rpartition("</think>")
print(drl.strip())  # a draft: review it, check it statically and run it in simulation first
