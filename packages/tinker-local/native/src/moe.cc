// Sparse MoE MLP, CPU path: route, group token slots by expert, run each active expert on its rows.
#include "moe.h"

#include <ATen/ATen.h>

namespace crucible {

MoeDispatch moeRoute(const at::Tensor& x, const at::Tensor& router, int64_t topK, bool normTopk) {
  const int64_t E = router.size(0);
  // HF: softmax in float32 over all experts, top-k, optional renormalisation of the k weights.
  auto probs = at::softmax(at::linear(x, router), -1, at::kFloat);
  auto top = at::topk(probs, topK, -1);
  auto w = std::get<0>(top);
  if (normTopk) w = w / w.sum(-1, true);
  auto experts = std::get<1>(top).reshape(-1);
  // Stable sort keeps each expert's rows in token order (HF's torch.where over the expert mask does the same).
  auto sorted = at::sort(experts, /*stable=*/true, /*dim=*/0, /*descending=*/false);
  MoeDispatch d;
  d.order = std::get<1>(sorted);
  d.weights = w.reshape(-1).index_select(0, d.order);
  auto counts = at::bincount(experts, {}, E).cpu();
  d.offsets.assign(E + 1, 0);
  auto c = counts.data_ptr<int64_t>();
  for (int64_t e = 0; e < E; ++e) d.offsets[e + 1] = d.offsets[e] + c[e];
  return d;
}

namespace {
// rows [n, in] through expert e's weight W[e] ([out, in]) plus its LoRA term.
at::Tensor expertLinear(const at::Tensor& rows, const at::Tensor& W, int64_t e, const ExpertLora* l, double scaling) {
  auto y = at::mm(rows, W[e].t());
  if (!l || !l->A.defined()) return y;
  // LoRA state stays float32; the matmuls run in the activations' dtype (bfloat16 on CUDA), as Impl::lin does.
  auto A = l->A[l->A.size(0) == 1 ? 0 : e].to(rows.scalar_type());
  auto B = l->B[l->B.size(0) == 1 ? 0 : e].to(rows.scalar_type());
  return at::addmm(y, at::mm(rows, A.t()), B.t(), 1, scaling);
}
}  // namespace

at::Tensor moeForward(const at::Tensor& x, const MoeWeights& W, const std::array<const ExpertLora*, 3>& lora,
                      double scaling, int64_t topK, bool normTopk) {
  const int64_t E = W.router.size(0);
  auto d = moeRoute(x, W.router, topK, normTopk);
  auto tokens = at::div(d.order, topK, "floor");
  auto out = at::zeros_like(x);
  for (int64_t e = 0; e < E; ++e) {
    const int64_t n = d.offsets[e + 1] - d.offsets[e];
    if (n == 0) continue;
    auto tok = tokens.narrow(0, d.offsets[e], n);
    auto rows = x.index_select(0, tok);
    auto g = expertLinear(rows, W.gate, e, lora[0], scaling);
    auto u = expertLinear(rows, W.up, e, lora[1], scaling);
    auto y = expertLinear(at::silu(g) * u, W.down, e, lora[2], scaling);
    out = out.index_add(0, tok, y * d.weights.narrow(0, d.offsets[e], n).unsqueeze(1).to(y.scalar_type()));
  }
  return out;
}

}  // namespace crucible
