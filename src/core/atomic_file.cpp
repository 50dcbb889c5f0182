#include "core/atomic_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace lf {

void write_file_atomic(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    LF_CHECK(out, "cannot write ", tmp.string(), ": check that the directory exists and is writable");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    LF_CHECK(out, "writing ", tmp.string(), " failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail("cannot rename into ", path.string(), ": ", ec.message());
  }
}

void append_line(const fs::path& path, const std::string& line) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  LF_CHECK(out, "cannot append to ", path.string(), ": check that the directory is writable");
  out << line << '\n';
  out.flush();
  LF_CHECK(out, "writing ", path.string(), " failed (disk full?)");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  LF_CHECK(in, "cannot read ", path.string(), ": the file is missing or unreadable");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

AtomicDir::AtomicDir(fs::path final_path) : final_(std::move(final_path)) {
  tmp_ = final_;
  tmp_ += ".tmp-" + std::to_string(getpid());
  std::error_code ec;
  fs::remove_all(tmp_, ec);
  fs::create_directories(tmp_, ec);
  LF_CHECK(!ec, "cannot create ", tmp_.string(), ": ", ec.message());
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

void AtomicDir::commit() {
  std::error_code ec;
  fs::path old = final_;
  old += ".old-" + std::to_string(getpid());
  bool had_old = fs::exists(final_);
  if (had_old) {
    fs::rename(final_, old, ec);
    LF_CHECK(!ec, "cannot replace ", final_.string(), ": ", ec.message());
  }
  fs::rename(tmp_, final_, ec);
  LF_CHECK(!ec, "cannot move ", tmp_.string(), " to ", final_.string(), ": ", ec.message());
  committed_ = true;
  if (had_old) fs::remove_all(old, ec);
}

}  // namespace lf
