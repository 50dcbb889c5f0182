// CPU-simulated CANN: aclnn/aclnn_base.h (shared/reference/ascend-cann.md §2.1, §7.3).
#ifndef CANN_SIM_ACLNN_BASE_H_
#define CANN_SIM_ACLNN_BASE_H_
#include "acl/acl_base.h"
#include "aclnn/acl_meta.h"

#define ACLNN_SUCCESS 0
#define ACLNN_ERR_PARAM_NULLPTR 161001
#define ACLNN_ERR_PARAM_INVALID 161002
#define ACLNN_ERR_RUNTIME_ERROR 361001
#define ACLNN_ERR_INNER 561000

#endif  // CANN_SIM_ACLNN_BASE_H_
