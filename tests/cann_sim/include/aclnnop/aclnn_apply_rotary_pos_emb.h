// CPU-simulated CANN: aclnnop/aclnn_apply_rotary_pos_emb.h (prototype: shared/reference/ascend-cann.md
// Appendix A / §3.1, present in CANN 8.0.RC1; the standard phase-2 form of §2.3).
#ifndef CANN_SIM_ACLNN_APPLY_ROTARY_POS_EMB_H_
#define CANN_SIM_ACLNN_APPLY_ROTARY_POS_EMB_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnApplyRotaryPosEmbGetWorkspaceSize(aclTensor *queryRef, aclTensor *keyRef, const aclTensor *cos, const aclTensor *sin, int64_t layout,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnApplyRotaryPosEmb(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_APPLY_ROTARY_POS_EMB_H_
