#include "tokenizer/regex.h"

#include <oniguruma.h>

#include "core/error.h"

namespace lf::tok {
namespace {

// onig_initialize must run once per process before the first onig_new.
void init_onig() {
  static const bool done = [] {
    OnigEncoding enc[] = {ONIG_ENCODING_UTF8};
    onig_initialize(enc, 1);
    return true;
  }();
  (void)done;
}

struct RegionDeleter {
  void operator()(OnigRegion* r) const { onig_region_free(r, 1); }
};

}  // namespace

struct Regex::Impl {
  regex_t* re = nullptr;
};

Regex::Regex(const std::string& pattern, const std::string& what) : impl_(std::make_unique<Impl>()) {
  init_onig();
  OnigErrorInfo info;
  const auto* p = reinterpret_cast<const OnigUChar*>(pattern.data());
  // The default (Oniguruma) syntax and no options: what Rust's onig::Regex::new uses.
  const int rc = onig_new(&impl_->re, p, p + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8,
                          ONIG_SYNTAX_DEFAULT, &info);
  if (rc != ONIG_NORMAL) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, rc, &info);
    fail(what, ": cannot compile regex /", pattern, "/: ", reinterpret_cast<const char*>(msg),
         "; fix the pattern in tokenizer.json");
  }
}

Regex::~Regex() {
  if (impl_ && impl_->re) onig_free(impl_->re);
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view s) const {
  std::vector<std::pair<size_t, size_t>> out;
  out.reserve(s.size() / 4 + 1);  // about one match per word
  // One region per thread: searches on a shared regex_t are thread-safe, the
  // region is the only per-search state.
  thread_local std::unique_ptr<OnigRegion, RegionDeleter> region(onig_region_new());
  const auto* begin = reinterpret_cast<const OnigUChar*>(s.data());
  // onig_scan walks all matches in one call (an empty match advances the
  // start by one character), cheaper than one onig_search per match.
  const auto on_match = [](int, int, OnigRegion* r, void* arg) -> int {
    static_cast<std::vector<std::pair<size_t, size_t>>*>(arg)->emplace_back(r->beg[0], r->end[0]);
    return 0;
  };
  const int rc = onig_scan(impl_->re, begin, begin + s.size(), region.get(), ONIG_OPTION_NONE, on_match, &out);
  if (rc < 0) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, rc);
    fail("tokenizer regex search failed: ", reinterpret_cast<const char*>(msg));
  }
  return out;
}

}  // namespace lf::tok
