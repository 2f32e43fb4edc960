// Internal to the engine's translation units (engine.cc, sample.cc): model and adapter state, shared helpers.
#pragma once
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "compat.h"
#include "engine.h"
#include "moe.h"
#include "rope.h"

namespace crucible {

// OpenMP's thread count is a per-thread setting: applies the pinned count on the calling thread (normally the
// dedicated engine thread of addon.cc; cheap when already set). Defined in engine.cc.
void applyThreads();

// small_gemm.cc: x [M≤32, K] · Wᵀ (+ alpha · xa · Bᵀ) by a weight-streaming kernel; undefined when it does not apply.
// Each output row depends only on its input row, so a row's result does not depend on the batch around it;
// anyRows lifts the 32-row bound (merged decoding of several requests, whose rows must match their solo results).
at::Tensor smallLinear(const at::Tensor& x, const at::Tensor& W, const at::Tensor& xa, const at::Tensor& B,
                       double alpha, bool anyRows = false);
// The most rows a decode batch has for smallLinear to apply without anyRows.
constexpr int64_t kSmallLinearRows = 32;

// Strip libtorch's C++ backtrace from error messages that reach JavaScript.
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  applyThreads();
  try {
    return f();
  } catch (const c10::Error& e) {
    // CUDA OOM (c10::OutOfMemoryError in 2.x, a c10::Error saying so in 1.x): the message starts with "out of
    // memory:" so the JavaScript side reports it as a capacity refusal (HTTP 429), not a server fault.
    std::string msg = e.what_without_backtrace();
    if (msg.find("out of memory") != std::string::npos) throw std::runtime_error("out of memory: " + msg);
    throw std::runtime_error(msg);
  }
}

inline void check(bool ok, const std::string& msg) {
  if (!ok) throw std::runtime_error(msg);
}

// In float32 whatever the activations' dtype (as transformers' LlamaRMSNorm/Qwen3RMSNorm), back to it before the weight.
inline at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& w, double eps) {
  if (x.scalar_type() != at::kFloat) {
    auto xf = x.to(at::kFloat);
    return w * (xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
  }
  auto var = x.pow(2).mean(-1, true);
  return w * (x * at::rsqrt(var + eps));
}

enum Proj { Q, K, V, O, GATE, UP, DOWN, NPROJ };
// One more adaptable slot per layer: Qwen3.5's linear_attn.in_proj_z (unused by the other families).
constexpr int ZPROJ = NPROJ, NSLOT = NPROJ + 1;
inline const std::array<const char*, NPROJ> kProjNames = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                                          "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                                          "mlp.down_proj"};

struct LayerW {
  at::Tensor inNorm, postNorm, qNorm, kNorm;
  std::array<at::Tensor, NSLOT> w;
  std::array<at::Tensor, NPROJ> b;  // biases where the config has them (undefined otherwise)
  std::array<std::string, NSLOT> names;  // HF module path after "model.layers.<l>." of each adaptable slot
  bool sparse = false;               // MoE layer: `moe` replaces w[GATE..DOWN]
  MoeWeights moe;
};

// Tinker's names for the LoRA of a MoE layer's experts (w1 = gate_proj, w3 = up_proj, w2 = down_proj).
inline const std::array<const char*, 3> kExpertLoraNames = {"mlp.experts.w1", "mlp.experts.w3", "mlp.experts.w2"};

struct Qwen35Weights;  // qwen35.cc: Gated DeltaNet tensors of the linear-attention layers

struct BaseModel {
  ModelConfig cfg;
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;  // frozen weights and activations: float32 on CPU, bfloat16 on CUDA
  at::TensorOptions opts(at::ScalarType t) const { return at::TensorOptions().dtype(t).device(device); }
  at::Tensor embed, norm, lmHead, invFreq;
  std::vector<LayerW> layers;
  std::shared_ptr<const Qwen35Weights> q35;  // set for Qwen3.5 models: run() goes through runQwen35
};

using WeightGetter = std::function<at::Tensor(const std::string&, std::vector<int64_t>)>;
// qwen35.cc: fills layers (and q35) of a Qwen3.5 model whose embed/norm/lmHead are loaded.
void loadQwen35(BaseModel& m, const WeightGetter& get);

struct LoraPair {
  std::string key;
  at::Tensor A, B, mA, vA, mB, vB;
};

struct KVCache {
  std::vector<at::Tensor> k, v;  // per layer [B, kvHeads, Tmax, hd] (attention layers)
  // Qwen3.5 linear-attention layers instead: the conv window [B, convDim, kernel-1] and the delta-rule state
  // [B, vHeads, kDim, vDim] (undefined on attention layers, as k/v are on linear ones).
  std::vector<at::Tensor> conv, state;
};

struct Session {
  KVCache cache;
  int64_t len = 0, B = 0;
  int64_t generated = 0;  // tokens sampled per row so far (every live row has the same count)
  int64_t capacity = 0;   // positions the KV cache holds
  at::Tensor last;  // [B] int64
  at::Generator gen;
  SampleParams p;
};

struct Adapter::Impl {
  std::shared_ptr<BaseModel> base;
  LoraSpec spec;
  std::vector<LoraPair> loras;  // sorted by key
  std::vector<std::array<LoraPair*, NSLOT>> layerLora;
  std::vector<std::array<LoraPair*, 3>> layerExpertLora;  // MoE layers: w1, w3, w2
  LoraPair* headLora = nullptr;
  int64_t step = 0;
  at::Tensor lastLp, lastSel;
  std::map<int, Session> sessions;
  int nextSession = 1;
  bool decoding = false;  // set by sampleSteps: lin() uses the small-batch kernel
  bool anyRows = false;   // set for a merged decode step: the small-batch kernel for any number of rows

  // W x + scaling · B (A x). The LoRA term is added by one addmm (GEMM with beta = 1) instead of PEFT's separate
  // matmul, scale and add: two fewer output-sized temporaries per module (for lm_head each is T × vocab floats).
  at::Tensor lin(const at::Tensor& x, const at::Tensor& W, const LoraPair* l) const {
    if (decoding && x.is_cpu() && x.scalar_type() == at::kFloat) {  // a few rows, no autograd: stream each weight once (small_gemm.cc)
      auto x2 = x.reshape({-1, x.size(-1)}).contiguous();
      at::Tensor y;
      if (!l) {
        y = smallLinear(x2, W, {}, {}, 0, anyRows);
      } else {
        // x·Aᵀ by the same row-wise kernel (sgemm's result for a row may depend on how many rows it was given)
        auto xa = smallLinear(x2, l->A, {}, {}, 0, anyRows);
        if (xa.defined()) y = smallLinear(x2, W, xa, l->B, spec.scaling, anyRows);
      }
      if (y.defined()) {
        auto shape = x.sizes().vec();
        shape.back() = W.size(0);
        return y.view(shape);
      }
    }
    if (!l) return at::linear(x, W);
    auto x2 = x.reshape({-1, x.size(-1)});
    // LoRA parameters stay float32 (their gradients and Adam state too); the matmuls run in the activations' dtype.
    const auto dt = x.scalar_type();
    auto A = l->A.scalar_type() == dt ? l->A : l->A.to(dt);
    auto Bm = l->B.scalar_type() == dt ? l->B : l->B.to(dt);
    auto y = at::addmm(at::mm(x2, W.t()), at::mm(x2, A.t()), Bm.t(), 1, spec.scaling);
    auto shape = x.sizes().vec();
    shape.back() = W.size(0);
    return y.view(shape);
  }

  // Projection j of a layer: LoRA-adapted linear plus the base bias, if any (PEFT adds LoRA to the biased output).
  at::Tensor proj(const at::Tensor& x, const LayerW& L, const std::array<LoraPair*, NSLOT>& lo, int j) const {
    auto y = lin(x, L.w[j], lo[j]);
    return L.b[j].defined() ? y + L.b[j] : y;
  }

  // Attention of q [B, heads, T, hd] over k/v [B, kvHeads, S, hd] (queries at positions offset..offset+T-1);
  // mask [T, S] marks what may not be attended (undefined: everything may). Returns [B, T, heads·hd].
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                    int64_t offset) const {
    const auto& c = base->cfg;
    const int64_t B = q.size(0), T = q.size(2), hd = c.headDim, rep = c.heads / c.kvHeads;
    const bool fused = CRUCIBLE_HAS_SDPA_GQA && !base->device.is_cpu();
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
#if CRUCIBLE_HAS_SDPA_GQA
    if (fused) {
      std::optional<at::Tensor> allowed;  // SDPA's boolean mask marks what may be attended
      if (mask.defined()) allowed = mask.logical_not();
      return at::scaled_dot_product_attention(q, k, v, allowed, 0.0, T > 1 && offset == 0,
                                              std::optional<double>(scale), rep > 1)
          .transpose(1, 2)
          .reshape({B, T, c.heads * hd});
    }
#endif
    (void)fused;
    (void)offset;
    // GQA without copying K/V per query head (HF's repeat_kv): query head h uses kv head h / rep, so the rep
    // query heads of one kv head are stacked along the time axis, [B, kvHeads, rep·T, hd], and share its K/V.
    auto qg = q.contiguous().view({B, c.kvHeads, rep * T, hd});
    auto scores = at::matmul(qg, k.transpose(-2, -1)) * scale;  // [B, kvHeads, rep·T, S]
    if (mask.defined()) {
      auto m = rep > 1 ? mask.repeat({rep, 1}) : mask;
      scores = scores.masked_fill(m, -std::numeric_limits<float>::infinity());
    }
    return at::matmul(at::softmax(scores, -1), v)
        .view({B, c.heads, T, hd})
        .transpose(1, 2)
        .reshape({B, T, c.heads * hd});
  }

  // One decode step of several sessions (requests) as one batch (sample.cc): each row's result is what its
  // session alone would get. Dense models only. Returns final-normed hidden [ΣB, H].
  at::Tensor runDecode(const std::vector<Session*>& ss) const;

  // Decoder stack for tokens [B,T] at absolute positions offset..offset+T-1; returns final-normed hidden [B,T,H].
  at::Tensor run(const at::Tensor& tokens, int64_t offset, KVCache* cache) const {
    if (base->q35) return runQwen35(tokens, offset, cache);
    const auto& c = base->cfg;
    const int64_t B = tokens.size(0), T = tokens.size(1), hd = c.headDim;
    auto [cos0, sin0] = ropeTables(c, base->invFreq, offset, T);  // small float32 tables, built on the host
    auto cos = cos0.to(base->device, base->dtype), sin = sin0.to(base->device, base->dtype);
    auto h = base->embed.index_select(0, tokens.reshape(-1)).view({B, T, c.hidden});
    const int64_t S = offset + T;
    // CUDA: libtorch's fused attention (flash / memory-efficient kernels), causal without a mask tensor.
    const bool fused = CRUCIBLE_HAS_SDPA_GQA && !base->device.is_cpu();
    at::Tensor mask;
    if (T > 1 && !(fused && offset == 0)) mask = at::ones({T, S}, base->opts(at::kBool)).triu(offset + 1);
    for (int64_t l = 0; l < c.layers; ++l) {
      const auto& L = base->layers[l];
      const auto& lo = layerLora[l];
      auto x = rmsNorm(h, L.inNorm, c.eps);
      auto q = proj(x, L, lo, Q).view({B, T, c.heads, hd});
      auto k = proj(x, L, lo, K).view({B, T, c.kvHeads, hd});
      auto v = proj(x, L, lo, V).view({B, T, c.kvHeads, hd}).transpose(1, 2);
      if (c.qkNorm) {
        q = rmsNorm(q, L.qNorm, c.eps);
        k = rmsNorm(k, L.kNorm, c.eps);
      }
      q = q.transpose(1, 2);
      k = k.transpose(1, 2);
      q = applyRope(q, cos, sin);
      k = applyRope(k, cos, sin);
      if (cache) {
        cache->k[l].narrow(2, offset, T).copy_(k);
        cache->v[l].narrow(2, offset, T).copy_(v);
        k = cache->k[l].narrow(2, 0, S);
        v = cache->v[l].narrow(2, 0, S);
      }
      auto attn = attend(q, k, v, mask, offset);
      h = h + proj(attn, L, lo, O);
      x = rmsNorm(h, L.postNorm, c.eps);
      if (L.sparse) {
        std::array<ExpertLora, 3> el;
        std::array<const ExpertLora*, 3> elp{};
        for (int j = 0; j < 3; ++j)
          if (auto* p = layerExpertLora[l][j]) el[j] = {p->A, p->B}, elp[j] = &el[j];
        h = h + moeForward(x.reshape({-1, c.hidden}), L.moe, elp, spec.scaling, c.topK, c.normTopk).view(h.sizes());
        continue;
      }
      auto g = at::silu(lin(x, L.w[GATE], lo[GATE])) * lin(x, L.w[UP], lo[UP]);
      h = h + lin(g, L.w[DOWN], lo[DOWN]);
    }
    return rmsNorm(h, base->norm, c.eps);
  }

  // qwen35.cc: the Qwen3.5 decoder stack (same contract as run()).
  at::Tensor runQwen35(const at::Tensor& tokens, int64_t offset, KVCache* cache) const;

  at::Tensor logits(const at::Tensor& h) const { return lin(h, base->lmHead, headLora); }

  std::vector<LoraPair*> trainables() {
    std::vector<LoraPair*> r;
    for (auto& l : loras) r.push_back(&l);
    return r;
  }
};

}  // namespace crucible
