#include "backends/ascend/npu_smi.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <sstream>

namespace lf::ascend {
namespace {

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, '|')) {
    size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
    out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
  }
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool alive(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

std::vector<NpuProcess> parse_npu_smi_processes(const std::string& text) {
  std::vector<NpuProcess> out;
  std::stringstream in(text);
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.find("Process id") != std::string::npos) {
      in_table = true;
      continue;
    }
    if (!in_table || line.empty() || line[0] != '|') continue;
    // | <npu> <chip> | <pid> | <name> | <MB> |; container-aware npu-smi adds a
    // column after the pid, so name and memory are counted from the end.
    std::vector<std::string> c = cells(line);
    if (c.size() < 5) continue;
    std::stringstream ids(c[1]);
    std::string npu;
    ids >> npu;
    if (!all_digits(npu) || !all_digits(c[2]) || !all_digits(c.back())) continue;
    out.push_back({std::stoi(npu), std::stol(c[2]), c[c.size() - 2], std::stol(c.back())});
  }
  return out;
}

std::vector<std::string> npu_holders(const std::string& text, const std::vector<int>& npus,
                                     long self_pid) {
  std::vector<std::string> out;
  for (const NpuProcess& p : parse_npu_smi_processes(text)) {
    if (p.pid == self_pid || std::find(npus.begin(), npus.end(), p.npu) == npus.end()) continue;
    out.push_back("NPU " + std::to_string(p.npu) + ": pid " + std::to_string(p.pid) + " (" +
                  (p.name.empty() ? "unnamed" : p.name) + ", " + std::to_string(p.memory_mb) +
                  " MB, " + (alive(p.pid) ? "still running" : "not running here: stale or in another container") +
                  ")");
  }
  return out;
}

std::vector<std::string> npu_holders(const std::vector<int>& npus) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen("npu-smi info 2>/dev/null", "r"), pclose);
  if (!pipe) return {};
  std::string text;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) text.append(buf.data(), n);
  return npu_holders(text, npus, static_cast<long>(getpid()));
}

}  // namespace lf::ascend
