#include "data/mix.h"

#include <algorithm>
#include <random>

#include "core/error.h"
#include "data/dataset_info.h"

namespace lf::data {
namespace {

// Picks the next source: round-robin over `order`, or drawn by `probs`.
class SourcePicker {
 public:
  SourcePicker(size_t n, const std::vector<double>& probs, uint64_t seed)
      : n_(n), rng_(seed), dist_(probs.begin(), probs.end()), random_(!probs.empty()) {}
  size_t next() {
    if (random_) return static_cast<size_t>(dist_(rng_));
    return turn_++ % n_;
  }
  bool at_round_start() const { return turn_ % n_ == 0; }

 private:
  size_t n_;
  size_t turn_ = 0;
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> dist_;
  bool random_;
};

}  // namespace

std::vector<double> parse_probs(const std::string& list) {
  std::vector<double> out;
  for (const auto& item : split_names(list)) {
    size_t used = 0;
    double p = -1;
    try {
      p = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    LF_CHECK(used == item.size() && p >= 0, "interleave_probs: \"", item, "\" is not a probability");
    out.push_back(p);
  }
  return out;
}

std::vector<Example> mix_datasets(std::vector<std::vector<Example>> datasets, const std::string& strategy,
                                  const std::vector<double>& probs, uint64_t seed) {
  std::vector<Example> out;
  if (strategy == "concat") {
    LF_CHECK(probs.empty(), "`interleave_probs` is only valid for interleaved mixing.");
    for (auto& d : datasets) {
      out.insert(out.end(), std::make_move_iterator(d.begin()), std::make_move_iterator(d.end()));
    }
    return out;
  }
  LF_CHECK(strategy == "interleave_under" || strategy == "interleave_over" || strategy == "interleave_once",
           "Unknown mixing strategy: ", strategy, " (use concat, interleave_under, interleave_over or interleave_once)");
  LF_CHECK(probs.empty() || probs.size() == datasets.size(),
           "The length of dataset and interleave probs should be identical.");
  for (double p : probs) {
    // A source that is never drawn could never run out: over / once would not end.
    LF_CHECK(p > 0 || strategy == "interleave_under", "interleave_probs must all be positive for ", strategy);
  }
  LF_CHECK(probs.empty() || std::any_of(probs.begin(), probs.end(), [](double p) { return p > 0; }),
           "interleave_probs must not all be zero");
  const size_t n = datasets.size();
  if (n == 0) return out;
  for (const auto& d : datasets) {
    if (d.empty()) return out;  // nothing can be interleaved with an empty dataset
  }
  std::vector<size_t> next(n, 0);
  std::vector<bool> seen_whole(n, false);
  size_t whole = 0;
  const bool random = !probs.empty();
  const bool once = strategy == "interleave_once";
  SourcePicker pick(n, probs, seed);
  // Round-robin stops only at the end of a round (the Hugging Face library
  // takes whole rounds); drawn sources stop at once.
  bool done = false;
  while (!(done && (random || pick.at_round_start()))) {
    const size_t s = pick.next();
    if (once && next[s] == datasets[s].size()) continue;  // exhausted: each row only once
    out.push_back(datasets[s][next[s]]);
    if (++next[s] < datasets[s].size()) continue;
    if (!seen_whole[s]) seen_whole[s] = true, ++whole;
    if (strategy == "interleave_under") {
      done = true;
    } else if (strategy == "interleave_over") {
      next[s] = 0;  // oversample: start this dataset again
      done = whole == n;
    } else if (whole == n) {
      break;  // interleave_once: everything used
    }
  }
  return out;
}

}  // namespace lf::data
