#!/usr/bin/env bash
# `make demo`: the tiny demo model, a LoRA fine-tune on identity + alpaca_en_demo,
# then one question to the fine-tuned model. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=build/bin/llamafactory-cli

if [[ ! -f models/demo/config.json ]]; then
  echo "==> creating the tiny demo model in models/demo"
  "$CLI" create-model output_dir=models/demo arch=qwen2 tokenizer=demo initializer_range=0.1
fi

echo "==> training: $CLI train examples/train_lora/demo_lora_sft.yaml"
"$CLI" train examples/train_lora/demo_lora_sft.yaml

OUT=saves/demo/lora/sft
echo
echo "==> adapter:   $OUT/adapter_model.safetensors ($OUT/adapter_config.json)"
echo "==> loss plot: $OUT/training_loss.png"
python3 - "$OUT/trainer_log.jsonl" <<'PY' 2>/dev/null || true
import json, sys
losses = [json.loads(l)["loss"] for l in open(sys.argv[1]) if '"loss"' in l]
if losses:
    print(f"==> loss: first logged {losses[0]:.4f}, last logged {losses[-1]:.4f} "
          f"({losses[-1] / losses[0]:.0%} of the first)")
PY

echo
echo "==> asking the fine-tuned model: Who are you?"
echo "Who are you?" | "$CLI" chat examples/inference/demo_lora_sft.yaml
