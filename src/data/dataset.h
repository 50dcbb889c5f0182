// The whole data path of a training run: dataset_info.json -> rows ->
// examples -> encoded (and packed) sequences -> train / eval split, or a
// tokenized_path saved earlier.
#pragma once
#include <string>
#include <vector>

#include "data/example.h"
#include "data/options.h"
#include "data/template.h"
#include "data/vocab.h"

namespace lf::data {

// The datasets named in `names` (a comma list), converted and mixed by
// mix_strategy (concat: in order); max_samples and num_samples applied per
// dataset. Invalid rows are
// skipped and reported once per dataset; a dataset with no valid row is an
// lf::Error.
std::vector<Example> load_examples(const std::string& names, const DataOptions& options);

// The template the options select: `template`, else (no template set) the
// `empty` template when the tokenizer has no chat template. A tokenizer with
// a Jinja chat template needs `template` set: parsing Jinja is not done here.
const TemplateSpec& select_template(const DataOptions& options, const Vocab& vocab);
TemplateOptions template_options(const DataOptions& options);

struct PreparedData {
  std::vector<EncodedExample> train;
  std::vector<EncodedExample> eval;
  bool loaded_from_tokenized_path = false;
  // tokenized_path was set and absent: the data was encoded and saved there;
  // llamafactory-cli prints where and exits 0, as LLaMA-Factory does.
  bool saved_to_tokenized_path = false;
};

PreparedData prepare_data(const DataOptions& options, const ChatTemplate& tmpl);

}  // namespace lf::data
