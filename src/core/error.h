// One error type for the whole project. Messages say what failed and what to do.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace lf {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
inline void append(std::ostringstream&) {}
template <typename T, typename... Rest>
void append(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  append(os, rest...);
}
}  // namespace detail

// Builds a message from parts: fail("cannot open ", path, ": ", reason).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  detail::append(os, parts...);
  throw Error(os.str());
}

}  // namespace lf

// LF_CHECK(cond, parts...) throws lf::Error built from parts when cond is false.
#define LF_CHECK(cond, ...)            \
  do {                                 \
    if (!(cond)) ::lf::fail(__VA_ARGS__); \
  } while (0)
