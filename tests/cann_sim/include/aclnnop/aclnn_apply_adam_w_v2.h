// CPU-simulated CANN: aclnnop/aclnn_apply_adam_w_v2.h (header listed for CANN 8.1.RC1 in
// shared/reference/ascend-cann.md Appendix C, op referenced by op-plugin 6.0.rc1 per §3.6;
// prototype from CANN ops-nn optim/apply_adam_w_v2/docs/aclnnApplyAdamWV2.md).
// The backend does not include it: it resolves the op with dlsym (see ops_optim.cpp).
#ifndef CANN_SIM_ACLNN_APPLY_ADAM_W_V2_H_
#define CANN_SIM_ACLNN_APPLY_ADAM_W_V2_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnApplyAdamWV2GetWorkspaceSize(aclTensor *varRef, aclTensor *mRef, aclTensor *vRef, aclTensor *maxGradNormOptionalRef, const aclTensor *grad, const aclTensor *step, float lr, float beta1, float beta2, float weightDecay, float eps, bool amsgrad, bool maximize,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnApplyAdamWV2(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_APPLY_ADAM_W_V2_H_
