// Writes that never leave half a file behind: data goes to a temporary name in
// the same directory and is renamed over the target only when complete.
#pragma once
#include <filesystem>
#include <string>

namespace lf {

void write_file_atomic(const std::filesystem::path& path, const std::string& content);
// Appends one line to a log file and flushes it (trainer_log.jsonl style).
void append_line(const std::filesystem::path& path, const std::string& line);
std::string read_file(const std::filesystem::path& path);  // clear error when missing

// A directory built under a temporary name and renamed into place by commit().
// If commit() is never called (an exception, a signal) the temporary is removed.
class AtomicDir {
 public:
  explicit AtomicDir(std::filesystem::path final_path);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;
  const std::filesystem::path& path() const { return tmp_; }  // write files here
  void commit();  // replaces final_path (an existing one is removed first)

 private:
  std::filesystem::path final_, tmp_;
  bool committed_ = false;
};

}  // namespace lf
