#include "data/encode.h"

namespace lf::data {

std::vector<EncodedExample> encode_pretrain(const ChatTemplate& tmpl, const std::vector<std::string>& texts,
                                            int64_t cutoff_len, bool packing) {
  const Vocab& vocab = tmpl.vocab();
  const std::string eos_text = tmpl.pretrain_eos_text();
  // -1: no bos to add (the tokenizer does not add one, or has none).
  const int32_t bos = vocab.add_bos_token() ? vocab.bos_id().value_or(-1) : -1;
  const size_t cutoff = static_cast<size_t>(cutoff_len);
  std::vector<EncodedExample> out;

  if (!packing) {
    for (const auto& text : texts) {
      EncodedExample ex;
      if (bos >= 0) ex.input_ids.push_back(bos);
      const auto ids = vocab.encode(text + eos_text);
      ex.input_ids.insert(ex.input_ids.end(), ids.begin(), ids.end());
      if (ex.input_ids.size() > cutoff) ex.input_ids.resize(cutoff);  // keeps the head
      ex.labels = ex.input_ids;
      out.push_back(std::move(ex));
    }
    return out;
  }

  std::vector<int32_t> stream;
  for (const auto& text : texts) {
    const auto ids = vocab.encode(text + eos_text);
    stream.insert(stream.end(), ids.begin(), ids.end());
  }
  for (size_t start = 0; cutoff > 0 && start + cutoff <= stream.size(); start += cutoff) {
    EncodedExample ex;
    ex.input_ids.assign(stream.begin() + static_cast<std::ptrdiff_t>(start),
                        stream.begin() + static_cast<std::ptrdiff_t>(start + cutoff));
    if (bos >= 0) ex.input_ids.front() = bos;
    ex.labels = ex.input_ids;
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace lf::data
