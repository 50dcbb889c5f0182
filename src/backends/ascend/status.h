// CANN status codes turned into messages a user can act on. No vendor types
// here, so tests can check the wording without the toolkit headers.
#pragma once
#include <string>

namespace lf::ascend {

// "ACL_ERROR_RT_AICPU_EXCEPTION" for 507018, "ACLNN_ERR_PARAM_INVALID" for
// 161002, "HCCL_E_UNAVAIL" for an HCCL result of 7 (hccl = true), or
// "unknown status" for anything else.
std::string status_name(int code, bool hccl = false);

// What to do about a status, from the seed FAQ where it has an entry
// (507015, 507018, HCCP initialisation / HCCL_E_UNAVAIL), "" otherwise.
std::string status_remedy(int code, bool hccl = false);

// The full message: "<call> failed for op <op>: <code> <name>. CANN says: <detail>.
// <remedy>". `op` and `detail` may be empty.
std::string status_message(const std::string& call, const std::string& op, int code,
                           const std::string& detail, bool hccl = false);

}  // namespace lf::ascend
