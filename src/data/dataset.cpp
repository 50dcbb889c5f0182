#include "data/dataset.h"

#include <cmath>
#include <random>

#include "core/error.h"
#include "core/log.h"
#include "data/converter.h"
#include "data/encode.h"
#include "data/loader.h"
#include "data/mix.h"
#include "data/packing.h"
#include "data/tokenized_io.h"

namespace lf::data {
namespace {

// dataset_info's num_samples: every row once in random order, then random
// extra rows when more are asked for than exist.
std::vector<Row> sample_rows(std::vector<Row> rows, int64_t num_samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  const auto want = static_cast<size_t>(num_samples);
  if (order.size() > want) order.resize(want);
  while (order.size() < want && !rows.empty()) order.push_back(static_cast<size_t>(rng() % rows.size()));
  std::vector<Row> out;
  out.reserve(order.size());
  for (size_t i : order) out.push_back(rows[i]);
  return out;
}

// Train/eval split like datasets.train_test_split: a seeded permutation, the
// first n_test rows become eval. val_size < 1 is a fraction (rounded up),
// otherwise a count.
void split_eval(std::vector<EncodedExample>* train, std::vector<EncodedExample>* eval, double val_size, uint64_t seed) {
  const size_t n = train->size();
  const size_t n_test = val_size < 1.0 ? static_cast<size_t>(std::ceil(val_size * static_cast<double>(n)))
                                       : static_cast<size_t>(val_size);
  LF_CHECK(n_test < n, "val_size ", val_size, " leaves no training examples out of ", n);
  std::mt19937_64 rng(seed);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  std::vector<EncodedExample> kept;
  kept.reserve(n - n_test);
  for (size_t k = 0; k < n; ++k) {
    auto& ex = (*train)[order[k]];
    (k < n_test ? *eval : kept).push_back(std::move(ex));
  }
  *train = std::move(kept);
}

std::vector<EncodedExample> encode_all(const std::vector<Example>& examples, const DataOptions& options,
                                       const ChatTemplate& tmpl, const std::string& what) {
  if (options.stage == Stage::pt) {
    std::vector<std::string> texts;
    texts.reserve(examples.size());
    for (const auto& ex : examples) texts.push_back(ex.prompt.empty() ? "" : ex.prompt.front().content);
    return encode_pretrain(tmpl, texts, options.cutoff_len, options.packing_enabled());
  }
  const SupervisedOptions sup{options.cutoff_len, options.train_on_prompt, options.mask_history};
  std::vector<EncodedExample> out;
  out.reserve(examples.size());
  SkipLog skipped("example");
  for (size_t i = 0; i < examples.size(); ++i) {
    const Example& ex = examples[i];
    const std::string reason = supervised_invalid_reason(ex);
    if (!reason.empty()) {
      skipped.add(i, reason);
      continue;
    }
    // A malformed tool list or function call fails this example only.
    try {
      out.push_back(encode_supervised(tmpl, ex, sup));
    } catch (const Error& e) {
      skipped.add(i, e.what());
    }
  }
  // Every example failing points at the setup (template, columns), not the data.
  LF_CHECK(examples.empty() || !out.empty(), what, ": no example could be encoded for sft: ", skipped.summary());
  skipped.report(what + " (Dropped invalid example)");
  if (options.packing_enabled()) {
    auto packed = pack_examples(std::move(out), options.cutoff_len, tmpl.pad_id(), options.neat_packing);
    if (packed.dropped_too_long > 0) {
      log::warn(what, ": dropped ", packed.dropped_too_long, " example(s) longer than cutoff_len ",
                options.cutoff_len, " (packing keeps examples whole)");
    }
    out = std::move(packed.packs);
  }
  return out;
}

}  // namespace

void validate(const DataOptions& o) {
  LF_CHECK(o.cutoff_len > 0, "cutoff_len must be positive, got ", o.cutoff_len);
  LF_CHECK(o.val_size >= 0 && (o.val_size < 1 || o.val_size == std::floor(o.val_size)),
           "val_size must be a fraction in [0, 1) or a whole count, got ", o.val_size);
  LF_CHECK(!(o.val_size > 1e-6 && split_names(o.dataset).empty()), "Cannot specify `val_size` if `dataset` is None.");
  LF_CHECK(!(o.val_size > 1e-6 && !split_names(o.eval_dataset).empty()),
           "Cannot specify `val_size` if `eval_dataset` is not None.");
  LF_CHECK(!(o.mask_history && o.train_on_prompt), "`mask_history` is incompatible with `train_on_prompt`.");
  LF_CHECK(!(o.streaming && o.max_samples), "`max_samples` is incompatible with `streaming`.");
  LF_CHECK(!o.max_samples || *o.max_samples > 0, "max_samples must be positive");
  LF_CHECK(o.stage == Stage::sft || !(o.train_on_prompt || o.mask_history || o.neat_packing),
           "`train_on_prompt`, `mask_history` and `neat_packing` are only for stage sft.");
  LF_CHECK(o.mix_strategy == "concat" || o.mix_strategy == "interleave_under" || o.mix_strategy == "interleave_over" ||
               o.mix_strategy == "interleave_once",
           "Unknown mix_strategy \"", o.mix_strategy, "\": use concat, interleave_under, interleave_over or interleave_once");
  const auto probs = parse_probs(o.interleave_probs);
  LF_CHECK(probs.empty() || o.mix_strategy != "concat", "`interleave_probs` is only valid for interleaved mixing.");
  LF_CHECK(probs.empty() || probs.size() == split_names(o.dataset).size(),
           "The length of dataset and interleave probs should be identical.");
}

std::vector<Example> load_examples(const std::string& names, const DataOptions& options) {
  std::vector<std::vector<Example>> per_dataset;
  const auto list = split_names(names);
  if (list.empty()) return {};
  for (const auto& attr : read_dataset_info(options.dataset_dir, list)) {
    std::vector<Example>& all = per_dataset.emplace_back();
    auto rows = load_rows(attr, options);
    if (attr.num_samples) rows = sample_rows(std::move(rows), *attr.num_samples, options.seed);
    if (options.max_samples && static_cast<size_t>(*options.max_samples) < rows.size()) {
      rows.resize(static_cast<size_t>(*options.max_samples));
    }
    SkipLog skipped;
    size_t valid = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      Converted c = convert_row(rows[i], attr);
      if (!c.example) {
        skipped.add(i, c.skip_reason);
        continue;
      }
      all.push_back(std::move(*c.example));
      ++valid;
    }
    LF_CHECK(valid > 0 || rows.empty(), "Dataset \"", attr.name, "\" has no valid example: ", skipped.summary(),
             ". Check its \"formatting\", \"columns\" and \"tags\" in dataset_info.json");
    skipped.report("Dataset \"" + attr.name + "\"");
    log::info("Loaded dataset \"", attr.name, "\": ", valid, " examples");
  }
  if (per_dataset.size() == 1) return std::move(per_dataset.front());
  return mix_datasets(std::move(per_dataset), options.mix_strategy, parse_probs(options.interleave_probs), options.seed);
}

const TemplateSpec& select_template(const DataOptions& options, const Vocab& vocab) {
  if (!options.template_name.empty()) {
    const TemplateSpec& spec = find_template(options.template_name);
    LF_CHECK(!(options.train_on_prompt && spec.efficient_eos), "Current template does not support `train_on_prompt`.");
    return spec;
  }
  LF_CHECK(!vocab.has_chat_template(), "`template` is not set and the tokenizer has a Jinja chat template, which "
           "llamafactory.cpp does not parse; set `template:` to the model's template (e.g. qwen3, llama3)");
  log::warn("`template` was not specified, use `empty` template.");
  return find_template("empty");
}

TemplateOptions template_options(const DataOptions& options) {
  return {options.default_system, options.tool_format, options.enable_thinking, options.preserve_thinking};
}

PreparedData prepare_data(const DataOptions& options, const ChatTemplate& tmpl) {
  validate(options);
  if (options.streaming) log::warn("streaming: datasets are read into memory; the setting has no effect here");
  PreparedData out;
  if (!options.tokenized_path.empty() && tokenized_exists(options.tokenized_path)) {
    log::warn("Loading dataset from disk will ignore other data arguments.");
    TokenizedDataset data = load_tokenized(options.tokenized_path);
    out.train = std::move(data.train);
    out.eval = std::move(data.eval);
    out.loaded_from_tokenized_path = true;
    log::info("Loaded tokenized dataset from ", options.tokenized_path, ": ", out.train.size(), " train, ",
              out.eval.size(), " eval examples");
    return out;
  }
  LF_CHECK(!split_names(options.dataset).empty() || !split_names(options.eval_dataset).empty(),
           "No dataset given: set `dataset` (names from ", options.dataset_dir, "/dataset_info.json)");

  out.train = encode_all(load_examples(options.dataset, options), options, tmpl, "train dataset");
  out.eval = encode_all(load_examples(options.eval_dataset, options), options, tmpl, "eval dataset");
  if (options.val_size > 1e-6) split_eval(&out.train, &out.eval, options.val_size, options.seed);

  if (!options.tokenized_path.empty()) {
    TokenizedDataset data;
    data.meta.template_name = tmpl.spec().name;
    data.meta.stage = options.stage == Stage::pt ? "pt" : "sft";
    data.meta.cutoff_len = options.cutoff_len;
    data.meta.packing = options.packing_enabled();
    data.meta.neat_packing = options.neat_packing;
    data.meta.datasets = options.dataset;
    data.meta.eval_datasets = options.eval_dataset;
    data.train = std::move(out.train);
    data.eval = std::move(out.eval);
    save_tokenized(options.tokenized_path, data);
    // Where it went and how to go on is the command's message (it exits 0 next).
    log::info("Saved ", data.train.size(), " train and ", data.eval.size(), " eval examples to tokenized_path");
    out.train = std::move(data.train);
    out.eval = std::move(data.eval);
    out.saved_to_tokenized_path = true;
  }
  return out;
}

}  // namespace lf::data
