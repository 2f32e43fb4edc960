// Sparse mixture-of-experts MLP (Qwen3-MoE's Qwen3MoeSparseMoeBlock) with Tinker-layout expert LoRA.
#pragma once
#include <ATen/ATen.h>

#include <array>
#include <cstdint>

namespace crucible {

// Experts stacked along dim 0, so a grouped-GEMM path can take them as one tensor each.
struct MoeWeights {
  at::Tensor router;          // [E, H] (mlp.gate)
  at::Tensor gate, up, down;  // [E, I, H], [E, I, H], [E, H, I]
};

// LoRA of one expert projection, Tinker's fused layout (mlp.experts.w1|w3|w2): A [1 or E, r, in], B [1 or E, out, r];
// a leading 1 means the factor is shared by all experts.
struct ExpertLora {
  at::Tensor A, B;
};

// Token → expert assignment, grouped by expert: slot s of `order` is the flattened (token, k) pair order[s], tokens
// of expert e occupy [offsets[e], offsets[e+1]). The CPU path loops over the non-empty groups; a GPU path can hand
// the same grouping to a grouped GEMM.
struct MoeDispatch {
  at::Tensor order;              // [N·k] int64, (token·k + slot) sorted by expert
  at::Tensor weights;            // [N·k] routing weight of each sorted entry
  std::vector<int64_t> offsets;  // E + 1
};

MoeDispatch moeRoute(const at::Tensor& x, const at::Tensor& router, int64_t topK, bool normTopk);

// x [N, H] → [N, H]. lora: w1 (gate), w3 (up), w2 (down); entries with undefined A are not adapted.
at::Tensor moeForward(const at::Tensor& x, const MoeWeights& W, const std::array<const ExpertLora*, 3>& lora,
                      double scaling, int64_t topK, bool normTopk);

}  // namespace crucible
