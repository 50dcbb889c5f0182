// Mixing several datasets into one (LLaMA-Factory's mix_strategy, through the
// Hugging Face datasets' concatenate / interleave).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"

namespace lf::data {

// strategy: "concat" (in order), "interleave_under" (stop when the first
// dataset runs out), "interleave_over" (until every dataset has been seen
// whole, restarting the exhausted ones), "interleave_once" (until every
// dataset runs out, each row once). Without probabilities the interleaving is
// round-robin, row for row the same as the Hugging Face library; with
// `probs` (one per dataset) each row's source is drawn by a seeded generator
// of our own, so the proportions match but not the exact order.
std::vector<Example> mix_datasets(std::vector<std::vector<Example>> datasets, const std::string& strategy,
                                  const std::vector<double>& probs, uint64_t seed);

// "0.2, 0.8" -> {0.2, 0.8}; malformed numbers are an lf::Error.
std::vector<double> parse_probs(const std::string& list);

}  // namespace lf::data
