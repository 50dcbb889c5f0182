// LLaMA-Factory's GeneratingArguments (hparams/generating_args.py).
#pragma once
#include <cstdint>

#include "hparams/field.h"

namespace lf::hparams {

struct GeneratingArguments {
  bool do_sample = true;
  double temperature = 0.95;
  double top_p = 0.7;
  int64_t top_k = 50;
  int64_t num_beams = 1;
  int64_t max_length = 1024;
  int64_t max_new_tokens = 1024;  // when > 0 it wins over max_length
  double repetition_penalty = 1.0;
  double length_penalty = 1.0;
  bool skip_special_tokens = true;

  template <typename V>
  void visit(V& v) {
    v("do_sample", do_sample);
    v("temperature", temperature);
    v("top_p", top_p);
    v("top_k", top_k);
    v("num_beams", num_beams);
    v("max_length", max_length);
    v("max_new_tokens", max_new_tokens);
    v("repetition_penalty", repetition_penalty);
    v("length_penalty", length_penalty);
    v("skip_special_tokens", skip_special_tokens);
  }
};

}  // namespace lf::hparams
