// A tiny decoder for composite-graph tests: embedding, then two applications
// of one Llama-style layer (rms_norm, q/k/v projections, rope, grouped-query
// attention, output projection with dropout, residual, rms_norm, SwiGLU MLP,
// residual), then the chunked cross-entropy of the lm_head. Layers can be
// checkpointed, one by one and/or all together.
#pragma once
#include <random>
#include <vector>

#include "autograd/autograd.h"
#include "grad_check.h"

namespace lf::ag::gradcheck {

enum TinyWeight {
  kEmbed,
  kNorm1,
  kWq,
  kWk,
  kWv,
  kWo,
  kNorm2,
  kGate,
  kUp,
  kDown,
  kLmHead,
  kWeights
};

struct TinyDecoder {
  static constexpr int64_t kVocab = 11, kHidden = 8, kHeads = 2, kKvHeads = 1, kHeadDim = 4,
                           kInter = 12, kBatch = 2, kSeq = 5, kLayers = 2;
  float dropout = 0.0f;
  bool checkpointed = false;   // each layer in a checkpoint
  bool nested = false;         // all layers in one more checkpoint around them
  DType compute = DType::f32;  // weights are cast to it where used (mixed precision)
  Tensor ids = Tensor::from_ints({1, 4, 9, 2, 2, 0, 10, 3, 7, 5}, {kBatch * kSeq});
  Tensor labels = Tensor::from_ints({4, 9, 2, 2, -100, 10, 3, 7, 5, -100}, {kBatch * kSeq});
  Tensor positions = Tensor::from_ints({0, 1, 2, 3, 4, 0, 1, 2, 3, 4}, {kBatch, kSeq});

  static std::vector<Tensor> random_weights(uint32_t seed) {
    std::mt19937 rng(seed);
    auto r = [&](const Shape& s, float scale) { return random_tensor(s, rng, scale); };
    std::vector<Tensor> w(kWeights);
    w[kEmbed] = r({kVocab, kHidden}, 1.0f);
    w[kNorm1] = r({kHidden}, 0.3f);
    w[kWq] = r({kHeads * kHeadDim, kHidden}, 0.5f);
    w[kWk] = r({kKvHeads * kHeadDim, kHidden}, 0.5f);
    w[kWv] = r({kKvHeads * kHeadDim, kHidden}, 0.5f);
    w[kWo] = r({kHidden, kHeads * kHeadDim}, 0.5f);
    w[kNorm2] = r({kHidden}, 0.3f);
    w[kGate] = r({kInter, kHidden}, 0.5f);
    w[kUp] = r({kInter, kHidden}, 0.5f);
    w[kDown] = r({kHidden, kInter}, 0.5f);
    w[kLmHead] = r({kVocab, kHidden}, 0.5f);
    return w;
  }

  Var layer(const std::vector<Var>& weights, const Var& h) const {
    auto w = [&](TinyWeight i) { return cast(weights[i], compute); };
    ops::RopeParams rope_params;
    Var x = rms_norm(h, w(kNorm1), 1e-5f);
    Var q = rope(view(linear(x, w(kWq)), {kBatch, kSeq, kHeads, kHeadDim}), positions, rope_params);
    Var k =
        rope(view(linear(x, w(kWk)), {kBatch, kSeq, kKvHeads, kHeadDim}), positions, rope_params);
    Var v = view(linear(x, w(kWv)), {kBatch, kSeq, kKvHeads, kHeadDim});
    Var a = view(attention(q, k, v, {}), {kBatch * kSeq, kHeads * kHeadDim});
    Var h1 = add(h, ag::dropout(linear(a, w(kWo)), dropout));
    Var m = rms_norm(h1, w(kNorm2), 1e-5f);
    return add(h1, linear(swiglu(linear(m, w(kGate)), linear(m, w(kUp))), w(kDown)));
  }

  Var layers(const std::vector<Var>& w, Var h) const {
    for (int64_t i = 0; i < kLayers; ++i) {
      h = checkpointed
              ? checkpoint([&](const std::vector<Var>& in) { return layer(w, in[0]); }, {h})
              : layer(w, h);
    }
    return h;
  }

  Var loss(const std::vector<Var>& w) const {
    Var h = embedding(ids, cast(w[kEmbed], compute));
    h = nested ? checkpoint([&](const std::vector<Var>& in) { return layers(w, in[0]); }, {h})
               : layers(w, h);
    return linear_cross_entropy(h, cast(w[kLmHead], compute), labels, /*chunk=*/4);
  }
};

}  // namespace lf::ag::gradcheck
