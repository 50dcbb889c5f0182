"""Validates a PEFT LoRA adapter directory the way Python PEFT reads it:
adapter_config.json fields and the safetensors header (names, dtypes, shapes,
offsets). Usage: check_peft.py DIR HIDDEN RANK. Exits non-zero with a reason."""
import json
import struct
import sys

d, hidden, rank = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cfg = json.load(open(f"{d}/adapter_config.json"))
for key in ("r", "lora_alpha", "target_modules", "peft_type", "task_type", "base_model_name_or_path"):
    assert key in cfg, f"adapter_config.json lacks {key}"
assert cfg["peft_type"] == "LORA" and cfg["task_type"] == "CAUSAL_LM", cfg
assert cfg["r"] == rank, cfg["r"]
with open(f"{d}/adapter_model.safetensors", "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
    data = f.read()
assert n % 8 == 0, "header not padded to 8 bytes"
tensors = {k: v for k, v in header.items() if k != "__metadata__"}
assert tensors, "no tensors"
end = 0
for name, t in sorted(tensors.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    assert name.startswith("base_model.model.model.layers."), name
    assert name.endswith(".lora_A.weight") or name.endswith(".lora_B.weight"), name
    module = name.split(".")[-3]
    assert module in cfg["target_modules"], (module, cfg["target_modules"])
    b, e = t["data_offsets"]
    assert b == end, f"{name}: gap or overlap"
    size = {"F32": 4, "BF16": 2, "F16": 2}[t["dtype"]]
    count = 1
    for s in t["shape"]:
        count *= s
    assert e - b == count * size, f"{name}: byte length"
    if name.endswith("lora_A.weight"):
        assert t["shape"][0] == rank, (name, t["shape"])
    else:
        assert t["shape"][1] == rank, (name, t["shape"])
    end = e
assert end == len(data), "trailing bytes"
if "q_proj" in cfg["target_modules"]:
    a = tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]
    assert a["shape"] == [rank, hidden], a
print("ok")
