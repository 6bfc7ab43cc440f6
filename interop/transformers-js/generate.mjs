// Greedy generation through @huggingface/transformers, from local files only, as a deployment would
// run an onnx-sinkfix patched model. Usage: node generate.mjs '<json request>'
//   {"root": DIR, "model": NAME, "dtype": "fp32"|"fp16", "input_ids": [..], "max_new_tokens": N}
// DIR/NAME holds config.json, generation_config.json and onnx/model.onnx (or onnx/model_fp16.onnx).
// Prints one JSON line: {"ok": true, "generated": [ids after the prompt]} or {"ok": false, "error": "..."}.
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';

const request = JSON.parse(process.argv[2]);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = request.root;
env.useBrowserCache = false;
env.useFSCache = false;

try {
  const model = await AutoModelForCausalLM.from_pretrained(request.model, {
    dtype: request.dtype,
    device: 'cpu',
    local_files_only: true,
  });
  const ids = request.input_ids;
  const input_ids = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
  const output = await model.generate({
    input_ids,
    attention_mask,
    max_new_tokens: request.max_new_tokens,
    do_sample: false,
  });
  const all = Array.from(output.data, (v) => Number(v));
  console.log(JSON.stringify({ ok: true, generated: all.slice(ids.length) }));
  await model.dispose();
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.message ? e.message : e) }));
}
