// Levelled logging to stderr; the level comes from LLAMAFACTORY_VERBOSITY
// (DEBUG, INFO, WARN/WARNING, ERROR), as in LLaMA-Factory. Default INFO.
#pragma once
#include <sstream>
#include <string>

namespace lf::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

Level level();
void set_level(Level level);
// Parses a level name (case-insensitive); returns false for unknown names.
bool parse_level(const std::string& name, Level* out);
void write(Level level, const std::string& message);

// While it lives, every line written at or above the level also goes to
// `path` (truncated first), flushed line by line: LLaMA-Factory's
// running_log.txt, which its web UI tails. An unwritable path is an lf::Error.
class FileSink {
 public:
  explicit FileSink(const std::string& path);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
};

template <typename... Parts>
void at(Level lvl, const Parts&... parts) {
  if (lvl < level()) return;
  std::ostringstream os;
  (os << ... << parts);
  write(lvl, os.str());
}
template <typename... P> void debug(const P&... p) { at(Level::debug, p...); }
template <typename... P> void info(const P&... p) { at(Level::info, p...); }
template <typename... P> void warn(const P&... p) { at(Level::warn, p...); }
template <typename... P> void error(const P&... p) { at(Level::error, p...); }

}  // namespace lf::log
