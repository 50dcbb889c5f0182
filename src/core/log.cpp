#include "core/log.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

#include "core/error.h"

namespace lf::log {
namespace {

Level level_from_env() {
  const char* v = std::getenv("LLAMAFACTORY_VERBOSITY");
  Level out = Level::info;
  if (v && *v && !parse_level(v, &out)) {
    std::fprintf(stderr,
                 "[WARNING] LLAMAFACTORY_VERBOSITY=%s is not a level; use DEBUG, INFO, "
                 "WARN or ERROR. Using INFO.\n",
                 v);
    out = Level::info;
  }
  return out;
}

std::atomic<int>& current() {
  static std::atomic<int> lvl{static_cast<int>(level_from_env())};
  return lvl;
}

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARNING";
    case Level::error: return "ERROR";
  }
  return "INFO";
}

// The running-log file (FileSink), guarded by the mutex of write().
std::FILE* g_sink = nullptr;

std::mutex& write_mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

bool parse_level(const std::string& text, Level* out) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  if (s == "DEBUG") *out = Level::debug;
  else if (s == "INFO") *out = Level::info;
  else if (s == "WARN" || s == "WARNING") *out = Level::warn;
  else if (s == "ERROR" || s == "CRITICAL") *out = Level::error;
  else return false;
  return true;
}

Level level() { return static_cast<Level>(current().load()); }
void set_level(Level l) { current().store(static_cast<int>(l)); }

void write(Level l, const std::string& message) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(write_mutex());
  std::fprintf(stderr, "[%s|%s] %s\n", name(l), ts, message.c_str());
  if (g_sink) {
    std::fprintf(g_sink, "[%s|%s] %s\n", name(l), ts, message.c_str());
    std::fflush(g_sink);
  }
}

FileSink::FileSink(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  LF_CHECK(f, "cannot write the log file ", path, ": ", std::strerror(errno));
  std::lock_guard<std::mutex> lock(write_mutex());
  if (g_sink) std::fclose(g_sink);
  g_sink = f;
}

FileSink::~FileSink() {
  std::lock_guard<std::mutex> lock(write_mutex());
  if (g_sink) std::fclose(g_sink);
  g_sink = nullptr;
}

}  // namespace lf::log
