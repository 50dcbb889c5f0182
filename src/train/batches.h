// Turns collated batches into device tensors for the decoder.
#pragma once
#include "core/tensor.h"
#include "data/collator.h"
#include "ops/backend.h"

namespace lf::train {

struct DeviceBatch {
  Tensor ids, labels, positions;
  ops::AttentionParams attn;
  int64_t tokens = 0;  // non-padding tokens
};

DeviceBatch to_device(const data::Batch& b, Device device);

}  // namespace lf::train
