"""The Python onnx peer of `onnx-sinkfix patch MODEL --preset llama-2-7b` on the genai-layout 7B
skeleton: load the graph without its weights, add the same nodes (the capture-and-replace of layer
1's up projection, neurons 7890 and 10411, capture position 1, positions from position_ids, padding
from attention_mask), rewire the site's readers, add the state pair and the metadata, save beside
the input. It knows the site's name instead of matching the structure, so it is a lower bound.

Usage: skeleton_surgery_peer.py MODEL.onnx OUT.onnx   (OUT in MODEL's folder: the data file is reused)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LAYER, NEURONS, CAPTURE, WIDTH = 1, [7890, 10411], 1, 11008


def main(src, dst):
    model = onnx.load(src, load_external_data=False)
    g = model.graph
    site = f"/model/layers.{LAYER}/mlp/up_proj/MatMul/output_0"
    readers = [n for n in g.node if site in n.input]
    if not readers:
        sys.exit(f"no tensor {site} in {src}")
    fp16 = next(o.type.tensor_type.elem_type for o in g.output if o.name == "logits")
    dtype = np.float16 if fp16 == TensorProto.FLOAT16 else np.float32
    p, l = "/sinkfix/positions/", f"/sinkfix/layers.{LAYER}/"

    def const(name, value, np_type=np.int64):
        g.initializer.append(numpy_helper.from_array(np.array(value, dtype=np_type), name))
        return name

    def node(op, name, inputs, out=None, **attrs):
        out = out or name + "/output_0"
        g.node.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    at = const(p + f"capture_{CAPTURE}_position", [CAPTURE])
    here = node("Equal", p + f"capture_{CAPTURE}_here", ["position_ids", at])
    after = node("Greater", p + f"capture_{CAPTURE}_after", ["position_ids", at])
    shape = node("Shape", p + "ids_shape", ["input_ids"])
    seq = node("Gather", p + "seq_len", [shape, const(p + "seq_index", [1])], axis=0)
    start = node("Neg", p + "mask_of_call_start", [seq])
    mask = node("Slice", p + "mask_of_call", ["attention_mask", start, const(p + "mask_of_call_end", [2**63 - 1]),
                                               const(p + "mask_of_call_axis", [1])])
    real = node("Cast", p + "real_token", [mask], to=TensorProto.BOOL)
    here = node("And", p + f"capture_{CAPTURE}_here_real", [here, real])
    after = node("And", p + f"capture_{CAPTURE}_after_real", [after, real])
    count = node("Cast", p + f"capture_{CAPTURE}_count_int", [here], to=TensorProto.INT64)
    count = node("ReduceSum", p + f"capture_{CAPTURE}_count", [count, const(p + f"capture_{CAPTURE}_seq_axis", [1])],
                 keepdims=1)
    in_call = node("Greater", p + f"capture_{CAPTURE}_in_call", [count, const(p + f"capture_{CAPTURE}_none", [0])])
    last = const(p + f"capture_{CAPTURE}_last_axis", [2])
    here3 = node("Unsqueeze", p + f"capture_{CAPTURE}_here_3d", [here, last])
    after3 = node("Unsqueeze", p + f"capture_{CAPTURE}_after_3d", [after, last])

    chosen = node("Gather", l + "chosen", [site, const(l + "neurons", NEURONS)], axis=2)
    at_capture = node("Where", l + "at_capture", [here3, chosen, const(l + "zero", 0, dtype)])
    now = node("ReduceSum", l + "captured_now", [at_capture, const(l + "seq_axis", [1])], keepdims=0)
    state_in, state_out = f"past_sink_state.{LAYER}", f"present_sink_state.{LAYER}"
    node("Where", l + "state", [in_call, now, state_in], out=state_out)
    slots = np.zeros(WIDTH, dtype=np.int64)
    pinned = np.zeros(WIDTH, dtype=bool)
    for i, n in enumerate(NEURONS):
        slots[n], pinned[n] = i, True
    widened = node("Gather", l + "state_widened", [state_out, const(l + "neuron_slots", slots)], axis=1)
    per_row = node("Unsqueeze", l + "state_per_row", [widened, const(l + "row_axis", [1])])
    override = node("And", l + "override_mask", [after3, const(l + "pinned_neurons", pinned, bool)])
    patched = node("Where", l + "patched", [override, per_row, site])
    for r in readers:
        for i, name in enumerate(r.input):
            if name == site:
                r.input[i] = patched

    g.input.append(helper.make_tensor_value_info(state_in, fp16, ["batch", len(NEURONS)]))
    g.output.append(helper.make_tensor_value_info(state_out, fp16, ["batch", len(NEURONS)]))
    for key, value in [("neurons", ",".join(map(str, NEURONS))), ("site", "up"), ("capture_position", str(CAPTURE)),
                       ("site_tensor", site), ("patched_tensor", patched)]:
        model.metadata_props.append(onnx.StringStringEntryProto(key=f"sinkfix.layer.{LAYER}.{key}", value=value))
    onnx.save(model, dst)


if __name__ == "__main__":
    main(*sys.argv[1:3])
