// Facts about an Ascend host that decide whether the NPU can be used and what
// `llamafactory-cli env` prints: toolkit location and version files, driver
// version, and the reason no NPU is usable. No vendor types here.
#pragma once
#include <optional>
#include <string>

namespace lf::ascend {

// The toolkit root set_env.sh exports: ASCEND_TOOLKIT_HOME, else
// ASCEND_HOME_PATH; "" when neither is set.
std::string toolkit_home();

// The CANN version from a toolkit's files (reference §5.2, §5.3):
// <home>/<arch>-linux/ascend_toolkit_install.info `version=`, else
// <home>/runtime/version.info `version_dir=`; "" when neither is readable.
std::string cann_version_from_files(const std::string& home);

// `Version=` of the driver's version.info; "" when missing.
std::string driver_version(const std::string& path = "/usr/local/Ascend/driver/version.info");

// What the runtime reported while starting.
struct Probe {
  int init_status = 0;          // aclInit (100002 counts as success)
  int count_status = 0;         // aclrtGetDeviceCount
  int count = 0;                // visible devices
  std::optional<std::string> visible;  // ASCEND_RT_VISIBLE_DEVICES, when set
  std::string toolkit;          // toolkit_home()
  std::string detail;           // aclGetRecentErrMsg() of the failing call
};

// Why no NPU is usable ("" when one is): driver missing, toolkit environment
// missing, no device, or every device hidden by ASCEND_RT_VISIBLE_DEVICES.
std::string unavailable_reason(const Probe& p);

}  // namespace lf::ascend
