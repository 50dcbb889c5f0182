#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// tokenizer_config.json writes special tokens as "<s>" or as an AddedToken
// object {"content": "<s>", ...}.
std::optional<std::string> config_token(const json& config, const char* key) {
  if (!config.contains(key)) return std::nullopt;
  const json& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  LF_CHECK(v.is_null(), "tokenizer_config.json: \"", key, "\" must be a string, {\"content\": ...} or null, got ",
           v.dump());
  return std::nullopt;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  LF_CHECK(f, "cannot read ", p.string());
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

json parse_json(const std::string& text, const char* what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(what, " is not valid JSON: ", e.what(), "; re-download or regenerate the file");
  }
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

TokenizerImpl::TokenizerImpl(const json& tok, const json* config) {
  LF_CHECK(tok.is_object() && tok.contains("model"),
           "tokenizer.json: no \"model\" section; is this a Hugging Face tokenizer.json?");
  normalizer_ = make_normalizer(tok.value("normalizer", json()));
  pre_tokenizer_ = make_pre_tokenizer(tok.value("pre_tokenizer", json()));
  model_ = std::make_unique<Bpe>(tok["model"]);
  if (const auto pattern = byte_level_split_pattern(tok.value("pre_tokenizer", json()));
      pattern && model_->has_byte_level_alphabet()) {
    byte_level_split_ = std::make_unique<Regex>(*pattern, "pre_tokenizer Split");
    ascii_split_ = AsciiSplitter::for_pattern(*pattern);
  }
  decoder_ = make_decoder(tok.value("decoder", json()));
  around_ = parse_post_processor(tok.value("post_processor", json()));

  std::vector<AddedToken> added;
  for (const json& a : tok.value("added_tokens", json::array())) {
    AddedToken t;
    LF_CHECK(a.contains("id") && a.contains("content"), "tokenizer.json: added token ", a.dump(),
             " needs \"id\" and \"content\"");
    t.id = a["id"].get<int32_t>();
    LF_CHECK(t.id >= 0, "tokenizer.json: added token \"", a["content"].get<std::string>(), "\" has a negative id");
    t.content = a["content"].get<std::string>();
    t.single_word = a.value("single_word", false);
    t.lstrip = a.value("lstrip", false);
    t.rstrip = a.value("rstrip", false);
    t.normalized = a.value("normalized", false);
    t.special = a.value("special", false);
    added.push_back(std::move(t));
  }

  size_t n = 0;
  for (const auto& [tok_str, id] : model_->vocab()) n = std::max(n, static_cast<size_t>(id) + 1);
  for (const AddedToken& t : added) n = std::max(n, static_cast<size_t>(t.id) + 1);
  // The largest real vocabularies have a few hundred thousand tokens; an id
  // far beyond is a damaged file, not a reason to allocate gigabytes.
  LF_CHECK(n <= (size_t{1} << 24), "tokenizer.json: token id ", n - 1,
           " is implausibly large (ids must be below 16777216)");
  id_to_token_.assign(n, "");
  special_.assign(n, false);
  for (const auto& [tok_str, id] : model_->vocab()) id_to_token_[id] = tok_str;
  for (const AddedToken& t : added) {
    id_to_token_[t.id] = t.content;
    special_[t.id] = t.special;
    added_ids_[t.content] = t.id;
  }
  added_ = std::make_unique<AddedVocab>(std::move(added), normalizer_.get());
  if (config) read_config(*config);
  if (!special_tokens.unk && model_->unk_id()) special_tokens.unk = id_to_token_[*model_->unk_id()];
}

void TokenizerImpl::read_config(const json& config) {
  LF_CHECK(config.is_object(), "tokenizer_config.json must be a JSON object");
  SpecialTokens& s = special_tokens;
  s.bos = config_token(config, "bos_token");
  s.eos = config_token(config, "eos_token");
  s.pad = config_token(config, "pad_token");
  s.unk = config_token(config, "unk_token");
  s.add_bos_token = config.value("add_bos_token", false);
  s.add_eos_token = config.value("add_eos_token", false);
  if (config.contains("chat_template")) {
    const json& ct = config["chat_template"];
    if (ct.is_string()) {
      s.chat_template = ct.get<std::string>();
    } else if (ct.is_array()) {
      // Named templates [{"name": "default", "template": ...}, ...].
      for (const json& t : ct)
        if (t.value("name", std::string()) == "default") s.chat_template = t.value("template", std::string());
    }
  }
  const auto id_of = [&](const std::optional<std::string>& t) -> std::optional<int32_t> {
    if (!t) return std::nullopt;
    const int32_t id = token_to_id(*t);
    return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
  };
  bos_id = id_of(s.bos);
  eos_id = id_of(s.eos);
  pad_id = id_of(s.pad);
  // transformers rebuilds the post-processor of Llama-style tokenizers from
  // these flags, so when the config states them they decide.
  if (config.contains("add_bos_token") || config.contains("add_eos_token")) {
    around_ = SpecialAround{};
    if (s.add_bos_token && bos_id) around_.prefix.push_back(*bos_id);
    if (s.add_eos_token && eos_id) around_.suffix.push_back(*eos_id);
  }
}

int32_t TokenizerImpl::token_to_id(std::string_view token) const {
  if (const auto it = added_ids_.find(token); it != added_ids_.end()) return it->second;
  if (const auto it = model_->vocab().find(token); it != model_->vocab().end()) return it->second;
  return -1;
}

std::string TokenizerImpl::id_to_token(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < id_to_token_.size() ? id_to_token_[id] : std::string();
}

void TokenizerImpl::encode_text(std::string_view text, bool at_start, bool split_special,
                                std::vector<int32_t>& out) const {
  std::string norm(text);
  if (normalizer_) normalizer_->apply(norm);
  if (norm.empty()) return;  // HF drops empty pieces before pre-tokenizing
  const auto encode_words = [&](std::string_view piece, bool piece_at_start) {
    if (byte_level_split_) {
      // Isolated split: the matches and the gaps between them are the words.
      const auto matches = ascii_split_ && is_ascii(piece) ? ascii_split_->find_all(piece)
                                                           : byte_level_split_->find_all(piece);
      size_t prev = 0;
      for (auto [b, e] : matches) {
        model_->encode_raw_bytes(piece.substr(prev, b - prev), out);
        model_->encode_raw_bytes(piece.substr(b, e - b), out);
        prev = e;
      }
      model_->encode_raw_bytes(piece.substr(prev), out);
      return;
    }
    if (!pre_tokenizer_) {
      model_->encode_word(piece, out);
      return;
    }
    std::vector<std::string> words{std::string(piece)};
    pre_tokenizer_->apply(words, piece_at_start);
    for (const std::string& w : words) model_->encode_word(w, out);
  };
  if (!added_->has_normalized()) {
    encode_words(norm, at_start);
    return;
  }
  const std::string_view nv = norm;
  for (const Segment& s : added_->split(nv, true, split_special)) {
    if (s.id >= 0)
      out.push_back(s.id);
    else if (s.end > s.begin)
      encode_words(nv.substr(s.begin, s.end - s.begin), at_start && s.begin == 0);
  }
}

std::vector<int32_t> TokenizerImpl::encode(const std::string& raw, bool add_special_tokens,
                                           bool split_special_tokens) const {
  // Text with invalid UTF-8 is read as the Hugging Face stack reads such
  // bytes (Python's errors="replace", Node's Buffer.toString): U+FFFD per
  // maximal ill-formed subsequence.
  const std::string fixed = is_valid_utf8(raw) ? std::string() : sanitize_utf8(raw);
  const std::string_view text = fixed.empty() ? std::string_view(raw) : std::string_view(fixed);

  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  if (add_special_tokens) out.insert(out.end(), around_.prefix.begin(), around_.prefix.end());
  for (const Segment& s : added_->split(text, false, split_special_tokens)) {
    if (s.id >= 0)
      out.push_back(s.id);
    else if (s.end > s.begin)
      encode_text(text.substr(s.begin, s.end - s.begin), s.begin == 0, split_special_tokens, out);
  }
  if (add_special_tokens) out.insert(out.end(), around_.suffix.begin(), around_.suffix.end());
  return out;
}

std::string TokenizerImpl::decode(const int32_t* ids, size_t n, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    // Ids past the vocabulary (models pad their embedding to a round size)
    // decode to nothing, as in the Hugging Face library.
    if (ids[i] < 0 || static_cast<size_t>(ids[i]) >= id_to_token_.size()) continue;
    if (skip_special_tokens && special_[ids[i]]) continue;
    tokens.push_back(id_to_token_[ids[i]]);
  }
  if (!decoder_) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  decoder_->apply(tokens);
  std::string text;
  for (const std::string& t : tokens) text += t;
  return text;
}

Tokenizer Tokenizer::load(const std::string& path) {
  LF_CHECK(fs::exists(path), "tokenizer: ", path,
           " does not exist; point model_name_or_path at a local Hugging Face model directory");
  fs::path file = path;
  if (fs::is_directory(file)) file /= "tokenizer.json";
  LF_CHECK(fs::is_regular_file(file), "tokenizer: no tokenizer.json in ", path,
           "; this loader reads the Hugging Face tokenizer.json (a model with only tokenizer.model "
           "needs converting, e.g. by saving it once with transformers)");
  const fs::path config = file.parent_path() / "tokenizer_config.json";
  const std::string config_text = fs::is_regular_file(config) ? read_file(config) : std::string();
  try {
    return from_json(read_file(file), config_text);
  } catch (const Error& e) {
    fail(file.string(), ": ", e.what());
  } catch (const json::exception& e) {
    fail(file.string(), ": unexpected content: ", e.what());
  }
}

Tokenizer Tokenizer::from_json(const std::string& tokenizer_json, const std::string& tokenizer_config_json) {
  const json tok = parse_json(tokenizer_json, "tokenizer.json");
  json config;
  if (!tokenizer_config_json.empty()) config = parse_json(tokenizer_config_json, "tokenizer_config.json");
  Tokenizer t;
  try {
    t.impl_ = std::make_shared<TokenizerImpl>(tok, config.is_null() ? nullptr : &config);
  } catch (const json::exception& e) {
    // A field of the wrong JSON type deep in the file.
    fail("tokenizer.json / tokenizer_config.json: unexpected content: ", e.what());
  }
  return t;
}

std::vector<int32_t> Tokenizer::encode(const std::string& text, bool add_special_tokens,
                                       bool split_special_tokens) const {
  return impl_->encode(text, add_special_tokens, split_special_tokens);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  return impl_->decode(ids.data(), ids.size(), skip_special_tokens);
}

int32_t Tokenizer::token_to_id(const std::string& token) const { return impl_->token_to_id(token); }
std::string Tokenizer::id_to_token(int32_t id) const { return impl_->id_to_token(id); }
int64_t Tokenizer::vocab_size() const { return impl_->vocab_size(); }
bool Tokenizer::is_special(int32_t id) const { return impl_->is_special(id); }
const SpecialTokens& Tokenizer::special() const { return impl_->special_tokens; }
std::optional<int32_t> Tokenizer::bos_id() const { return impl_->bos_id; }
std::optional<int32_t> Tokenizer::eos_id() const { return impl_->eos_id; }
std::optional<int32_t> Tokenizer::pad_id() const { return impl_->pad_id; }

}  // namespace lf::tok
