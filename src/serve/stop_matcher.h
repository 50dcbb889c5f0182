// OpenAI's `stop`: the answer ends before the first occurrence of any stop
// string, which itself is never shown. While streaming, text that might be the
// start of a stop string is held back until the next pieces decide it.
#pragma once
#include <string>
#include <vector>

namespace lf::serve {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

  // Adds generated text; returns the part that is now safe to show.
  std::string push(const std::string& piece);
  // The held-back rest once generation has ended ("" after a stop).
  std::string flush();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace lf::serve
