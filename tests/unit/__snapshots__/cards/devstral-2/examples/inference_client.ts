// Query acme/robot-coder-devstral-2 served by vLLM (examples/vllm_serve.sh) with @huggingface/inference.
// npm install @huggingface/inference; API_TOKEN=unused npx tsx inference_client.ts
// Generated robot code is untrusted: check it statically, run it in simulation, then on the real cell at reduced speed (ISO 10218). See the model card.
import { InferenceClient } from "@huggingface/inference";

const client = new InferenceClient(process.env.API_TOKEN);

const chatCompletion = await client.chatCompletion({
    endpointUrl: "http://localhost:8000/v1",
    model: "acme/robot-coder-devstral-2",
    messages: [
        {
            role: "system",
            content: "You convert industrial robot programs. Answer with the converted program only, and mark every line you are unsure of with a VERIFY comment.",
        },
        {
            role: "user",
            content: "Convert this Hyundai Hi5 job file to a Doosan DRL program. Map DO17/DO18 to DO1/DO2 and DI21/DI22 to DI1/DI2, and keep the taught speeds.\n\nProgram File Format Version : 1.6  MechType: 693(HS220-03)  TotalAxis: 6  AuxAxis: 0\nS1   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A\n     DO17=0                      ' gripper CLOSE valve off\n     DO18=1                      ' gripper OPEN valve on\n     WAIT DI21                   ' part present at infeed\nS2   MOVE P,S=50%,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)\nS3   MOVE L,S=250mm/sec,A=0,T=1  (1480.000,-350.000,760.000,180.000,0.000,0.000,&H0001)\n     DO18=0                      ' OPEN valve off\n     DO17=1                      ' CLOSE valve on -> grip part\n     DELAY 0.4\n     WAIT DI22                   ' gripper closed\nS4   MOVE L,S=400mm/sec,A=2,T=1  (1480.000,-350.000,980.000,180.000,0.000,0.000,&H0001)\nS5   MOVE P,S=60%,A=3,T=1  (0.000,90.000,0.000,0.000,-90.000,0.000)A\n     END",
        },
    ],
    max_tokens: 2048,
    temperature: 0.15,
});

console.log(chatCompletion.choices[0]?.message.content);
