// Malformed or unsupported tokenizer files fail with an lf::Error that names
// the file or component, never a crash or a bare JSON exception.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace lf::tok {
namespace {

using nlohmann::json;

std::string error_of(const std::string& tokenizer_json, const std::string& config = "") {
  try {
    Tokenizer::from_json(tokenizer_json, config);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

json with(const std::string& key, json value) {
  json j = {{"model", {{"type", "BPE"}, {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}}}, {"merges", {"a b"}}}}};
  if (key.rfind("model.", 0) == 0)
    j["model"][key.substr(6)] = std::move(value);
  else
    j[key] = std::move(value);
  return j;
}

TEST(Errors, NotJson) { EXPECT_NE(error_of("{oops").find("tokenizer.json is not valid JSON"), std::string::npos); }

TEST(Errors, NoModel) { EXPECT_NE(error_of("{}").find("no \"model\""), std::string::npos); }

TEST(Errors, UnsupportedComponentsAreNamed) {
  EXPECT_NE(error_of(with("model.type", "Unigram").dump()).find("\"Unigram\" is not supported"), std::string::npos);
  EXPECT_NE(error_of(with("normalizer", {{"type", "BertNormalizer"}}).dump()).find("normalizer \"BertNormalizer\""),
            std::string::npos);
  EXPECT_NE(error_of(with("pre_tokenizer", {{"type", "Whitespace"}}).dump()).find("pre_tokenizer \"Whitespace\""),
            std::string::npos);
  EXPECT_NE(error_of(with("decoder", {{"type", "WordPiece"}}).dump()).find("decoder \"WordPiece\""), std::string::npos);
  EXPECT_NE(error_of(with("post_processor", {{"type", "Mystery"}}).dump()).find("post_processor \"Mystery\""),
            std::string::npos);
  EXPECT_NE(error_of(with("model.continuing_subword_prefix", "##").dump()).find("continuing_subword_prefix"),
            std::string::npos);
}

TEST(Errors, BadMerges) {
  EXPECT_NE(error_of(with("model.merges", {"a b", "a zz"}).dump()).find("merge #1"), std::string::npos);
  EXPECT_NE(error_of(with("model.merges", {"ab"}).dump()).find("merge #0"), std::string::npos);
  EXPECT_NE(error_of(with("model.merges", {json::array({"a"})}).dump()).find("merge #0"), std::string::npos);
  EXPECT_NE(error_of(with("model.merges", 5).dump()).find("model.merges must be an array"), std::string::npos);
}

TEST(Errors, BadRegex) {
  const json split = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  EXPECT_NE(error_of(with("pre_tokenizer", split).dump()).find("cannot compile regex"), std::string::npos);
}

TEST(Errors, WrongFieldTypes) {
  EXPECT_NE(error_of(with("model.vocab", {{"a", "zero"}}).dump()).find("vocab entry \"a\""), std::string::npos);
  EXPECT_NE(error_of(with("model.unk_token", "<unk>").dump()).find("unk_token \"<unk>\" is not in model.vocab"),
            std::string::npos);
  EXPECT_NE(error_of(with("added_tokens", {{{"content", "x"}}}).dump()).find("added token"), std::string::npos);
  EXPECT_NE(error_of(with("added_tokens", {{{"id", 2000000000}, {"content", "x"}}}).dump()).find("implausibly large"),
            std::string::npos);
  EXPECT_NE(error_of(with("normalizer", {{"type", "Prepend"}}).dump()).find("unexpected content"), std::string::npos);
  EXPECT_NE(error_of(with("normalizer", nullptr).dump(), R"({"bos_token": 5})").find("\"bos_token\" must be a string"),
            std::string::npos);
}

TEST(Errors, LoadNamesThePath) {
  try {
    Tokenizer::load("/nonexistent/model");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model does not exist"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lf::tok
