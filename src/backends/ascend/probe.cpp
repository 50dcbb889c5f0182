#include "backends/ascend/probe.h"

#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>

#include "backends/ascend/status.h"

namespace lf::ascend {
namespace {

// The value of `key=` in a key=value file, "" when absent.
std::string read_key(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
      return v;
    }
  }
  return "";
}

}  // namespace

std::string toolkit_home() {
  for (const char* var : {"ASCEND_TOOLKIT_HOME", "ASCEND_HOME_PATH"}) {
    const char* v = std::getenv(var);
    if (v && *v) return v;
  }
  return "";
}

std::string cann_version_from_files(const std::string& home) {
  if (home.empty()) return "";
  struct utsname u;
  std::string arch = uname(&u) == 0 ? u.machine : "x86_64";
  std::string v = read_key(home + "/" + arch + "-linux/ascend_toolkit_install.info", "version");
  if (v.empty()) v = read_key(home + "/runtime/version.info", "version_dir");
  return v;
}

std::string driver_version(const std::string& path) { return read_key(path, "Version"); }

std::string unavailable_reason(const Probe& p) {
  if (p.init_status != 0)
    return status_message("aclInit", "", p.init_status, p.detail);
  if (p.count_status != 0) {
    return "the NPU driver did not answer (" + status_message("aclrtGetDeviceCount", "",
                                                              p.count_status, p.detail) + ")";
  }
  if (p.count > 0 && p.toolkit.empty()) {
    return "the CANN toolkit environment is not set: run `source "
           "/usr/local/Ascend/ascend-toolkit/set_env.sh` (it exports ASCEND_TOOLKIT_HOME)";
  }
  if (p.count > 0) return "";
  if (p.visible) {
    return "ASCEND_RT_VISIBLE_DEVICES=\"" + *p.visible +
           "\" hides every NPU: list physical NPU ids in ascending order, comma-separated "
           "(e.g. 0,1), or unset it";
  }
  return "the driver reports no NPU: check that the card is seated and `npu-smi info` lists it";
}

}  // namespace lf::ascend
