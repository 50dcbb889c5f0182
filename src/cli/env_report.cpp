#include "cli/env_report.h"

#include <sys/utsname.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "build_info.h"
#include "core/host_runtime.h"
#include "core/runtime.h"
#include "core/visibility.h"
#include "ops/backend.h"

namespace lf::cli {
namespace {

std::string upper(const char* s) {
  std::string out;
  for (; *s; ++s) out += static_cast<char>(std::toupper(static_cast<unsigned char>(*s)));
  return out;
}

// LLaMA-Factory divides by 1024^3 and calls it GB; the same here for comparable output.
std::string gib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

std::string platform() {
  struct utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + "-" + u.release + "-" + u.machine;
}

// The checkout's commit when run inside one, as LLaMA-Factory does; else the
// build's ("" when neither is known).
std::string git_commit() {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen("git rev-parse HEAD 2>/dev/null", "r"), pclose);
  std::string out;
  if (pipe) {
    char buf[128];
    while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out.empty() ? LF_GIT_COMMIT : out;
}

struct FamilyState {
  DeviceType type;
  DeviceRuntime* runtime;  // nullptr: not compiled
  int count;
};

void add_family(EnvLines& out, const FamilyState& f) {
  const std::string label = upper(device_type_name(f.type));
  if (!f.runtime) {
    out.emplace_back(label, "not compiled");
    return;
  }
  if (f.count == 0) {
    std::string why = f.runtime->unavailable_reason();
    out.emplace_back(label + " number", why.empty() ? "0" : "0 (" + why + ")");
    return;
  }
  out.emplace_back(label + " number", std::to_string(f.count));
  out.emplace_back(label + " memory", gib(f.runtime->info(0).total_bytes));
  for (auto& line : f.runtime->env_lines()) out.push_back(line);
}

std::string visible_devices(const std::vector<FamilyState>& families) {
  std::string out;
  for (const auto& f : families) {
    const char* var = visibility_variable_name(f.type);
    if (f.count == 0 || !*var) continue;
    std::string list;
    for (int i = 0; i < f.count; ++i) list += (i ? ", " : "") + Device{f.type, i}.str();
    auto value = env_value(var);
    list += value ? " (selected by " + std::string(var) + "=" + *value + ")"
                  : " (all; " + std::string(var) + " is unset)";
    out += (out.empty() ? "" : "; ") + list;
  }
  return out.empty() ? "cpu only" : out;
}

// A visibility variable set for a family that cannot be used here: the seed
// FAQ's CUDA_VISIBLE_DEVICES-on-an-NPU-host case.
void add_hints(EnvLines& out, const std::vector<FamilyState>& families) {
  for (const auto& wrong : families) {
    const char* var = visibility_variable_name(wrong.type);
    if (!*var || wrong.count > 0 || !env_value(var)) continue;
    bool other_family = false;
    for (const auto& right : families) {
      const char* right_var = visibility_variable_name(right.type);
      if (right.count == 0 || !*right_var) continue;
      other_family = true;
      out.emplace_back("Hint", std::string(var) + " is set, but this host's devices are " +
                                   device_type_name(right.type) + ": use " + right_var +
                                   " to choose them");
    }
    if (!other_family && !wrong.runtime) {
      out.emplace_back("Hint", std::string(var) + " is set, but this build has no " +
                                   device_type_name(wrong.type) +
                                   " backend, so it has no effect");
    }
  }
}

}  // namespace

EnvLines collect_env() {
  ops::init_backends();
  EnvLines out;
  out.emplace_back("`llamafactory.cpp` version", LF_VERSION);
  out.emplace_back("Platform", platform());
  out.emplace_back("Compiler", LF_COMPILER);
  out.emplace_back("Build type", LF_BUILD_TYPE);

  std::vector<FamilyState> families;
  std::string backends;
  for (DeviceType t : kAllDeviceTypes) {
    DeviceRuntime* rt = find_runtime(t);
    families.push_back({t, rt, rt ? rt->device_count() : 0});
    if (ops::Backend* b = ops::find_backend(t)) backends += (backends.empty() ? "" : ", ") + std::string(b->name());
  }
  out.emplace_back("Backends compiled", backends.empty() ? "none" : backends);

  const CpuFeatures& cpu = cpu_features();
  out.emplace_back("CPU", cpu.model + " (" + std::to_string(cpu.cores) + " cores; " +
                              cpu.isa_flags() + ")");
  for (DeviceType t : kAllDeviceTypes) {
    if (ops::Backend* b = ops::find_backend(t)) {
      for (auto& line : b->env_lines()) out.push_back(line);
    }
  }
  for (const auto& f : families) add_family(out, f);
  out.emplace_back("Visible devices", visible_devices(families));
  out.emplace_back("Default device", resolve_device("auto").str());
  add_hints(out, families);
  if (std::string commit = git_commit(); !commit.empty()) out.emplace_back("Git commit", commit);
  out.emplace_back("Default data directory",
                   std::filesystem::is_directory("data") ? "detected" : "not detected");
  return out;
}

std::string format_env(const EnvLines& lines) {
  std::string out = "\n";
  for (const auto& [key, value] : lines) out += "- " + key + ": " + value + "\n";
  return out + "\n";
}

}  // namespace lf::cli
