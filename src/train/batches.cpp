#include "train/batches.h"

namespace lf::train {

DeviceBatch to_device(const data::Batch& b, Device device) {
  Shape shape{b.batch_size, b.seq_len};
  DeviceBatch d;
  d.ids = Tensor::from_host(b.input_ids.data(), DType::i32, shape, DType::i32, device);
  d.labels = Tensor::from_host(b.labels.data(), DType::i32, shape, DType::i32, device);
  d.positions = Tensor::from_host(b.position_ids.data(), DType::i32, shape, DType::i32, device);
  if (b.segment_mask) {
    // Neat packing: attention stays inside each packed example.
    Tensor seg = Tensor::from_host(b.attention_mask.data(), DType::i32, shape, DType::i32, device);
    d.attn.q_segments = seg;
    d.attn.k_segments = seg;
  }
  for (int32_t m : b.attention_mask) d.tokens += m != 0;
  return d;
}

}  // namespace lf::train
