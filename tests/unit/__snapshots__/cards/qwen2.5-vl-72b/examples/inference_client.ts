// Query acme/inspect-qwen2-5-vl-72b served by vLLM (examples/vllm_serve.sh) with @huggingface/inference.
// npm install @huggingface/inference; API_TOKEN=unused npx tsx inference_client.ts
// The model supports inspectors; it does not replace them. See the model card.
import { InferenceClient } from "@huggingface/inference";

const client = new InferenceClient(process.env.API_TOKEN);

const chatCompletion = await client.chatCompletion({
    endpointUrl: "http://localhost:8000/v1",
    model: "acme/inspect-qwen2-5-vl-72b",
    messages: [
        {
            role: "user",
            content: [
                {
                    type: "image_url",
                    image_url: {
                        url: "https://huggingface.co/acme/inspect-qwen2-5-vl-72b/resolve/qwen2-5-vl-72b-v1.0.0/assets/inspection-vlm-example.png",
                    },
                },
                {
                    type: "text",
                    text: "Inspect this part. Name the defect class (one of: scratch, dent, porosity), its location in the image and its severity (minor, major, critical), or answer \"no defect\".",
                },
            ],
        },
    ],
    max_tokens: 512,
    temperature: 0,
});

console.log(chatCompletion.choices[0]?.message.content);
