// Internal to the engine's translation units (engine.cc, sample.cc): model and adapter state, shared helpers.
#pragma once
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

#include "engine.h"
#include "rope.h"

namespace crucible {

// OpenMP's thread count is a per-thread setting: applies the pinned count on the calling thread (normally the
// dedicated engine thread of addon.cc; cheap when already set). Defined in engine.cc.
void applyThreads();

// small_gemm.cc: x [M≤32, K] · Wᵀ (+ alpha · xa · Bᵀ) by a weight-streaming kernel; undefined when it does not apply.
at::Tensor smallLinear(const at::Tensor& x, const at::Tensor& W, const at::Tensor& xa, const at::Tensor& B,
                       double alpha);

// Strip libtorch's C++ backtrace from error messages that reach JavaScript.
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  applyThreads();
  try {
    return f();
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
}

inline void check(bool ok, const std::string& msg) {
  if (!ok) throw std::runtime_error(msg);
}

inline at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& w, double eps) {
  auto var = x.pow(2).mean(-1, true);
  return w * (x * at::rsqrt(var + eps));
}

enum Proj { Q, K, V, O, GATE, UP, DOWN, NPROJ };
inline const std::array<const char*, NPROJ> kProjNames = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                                          "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                                          "mlp.down_proj"};

struct LayerW {
  at::Tensor inNorm, postNorm, qNorm, kNorm;
  std::array<at::Tensor, NPROJ> w;
  std::array<at::Tensor, NPROJ> b;  // biases where the config has them (undefined otherwise)
};

struct BaseModel {
  ModelConfig cfg;
  at::Tensor embed, norm, lmHead, invFreq;
  std::vector<LayerW> layers;
};

struct LoraPair {
  std::string key;
  at::Tensor A, B, mA, vA, mB, vB;
};

struct KVCache {
  std::vector<at::Tensor> k, v;  // per layer [B, kvHeads, Tmax, hd]
};

struct Session {
  KVCache cache;
  int64_t len = 0, B = 0;
  int64_t generated = 0;  // tokens sampled per row so far (every live row has the same count)
  at::Tensor last;  // [B] int64
  at::Generator gen;
  SampleParams p;
};

struct Adapter::Impl {
  std::shared_ptr<BaseModel> base;
  LoraSpec spec;
  std::vector<LoraPair> loras;  // sorted by key
  std::vector<std::array<LoraPair*, NPROJ>> layerLora;
  LoraPair* headLora = nullptr;
  int64_t step = 0;
  at::Tensor lastLp, lastSel;
  std::map<int, Session> sessions;
  int nextSession = 1;
  bool decoding = false;  // set by sampleSteps: lin() uses the small-batch kernel

  // W x + scaling · B (A x). The LoRA term is added by one addmm (GEMM with beta = 1) instead of PEFT's separate
  // matmul, scale and add: two fewer output-sized temporaries per module (for lm_head each is T × vocab floats).
  at::Tensor lin(const at::Tensor& x, const at::Tensor& W, const LoraPair* l) const {
    if (decoding) {  // a few rows, no autograd: stream each weight once (small_gemm.cc)
      auto x2 = x.reshape({-1, x.size(-1)}).contiguous();
      auto y = l ? smallLinear(x2, W, at::mm(x2, l->A.t()), l->B, spec.scaling) : smallLinear(x2, W, {}, {}, 0);
      if (y.defined()) {
        auto shape = x.sizes().vec();
        shape.back() = W.size(0);
        return y.view(shape);
      }
    }
    if (!l) return at::linear(x, W);
    auto x2 = x.reshape({-1, x.size(-1)});
    auto y = at::addmm(at::mm(x2, W.t()), at::mm(x2, l->A.t()), l->B.t(), 1, spec.scaling);
    auto shape = x.sizes().vec();
    shape.back() = W.size(0);
    return y.view(shape);
  }

  // Projection j of a layer: LoRA-adapted linear plus the base bias, if any (PEFT adds LoRA to the biased output).
  at::Tensor proj(const at::Tensor& x, const LayerW& L, const std::array<LoraPair*, NPROJ>& lo, int j) const {
    auto y = lin(x, L.w[j], lo[j]);
    return L.b[j].defined() ? y + L.b[j] : y;
  }

  // Decoder stack for tokens [B,T] at absolute positions offset..offset+T-1; returns final-normed hidden [B,T,H].
  at::Tensor run(const at::Tensor& tokens, int64_t offset, KVCache* cache) const {
    const auto& c = base->cfg;
    const int64_t B = tokens.size(0), T = tokens.size(1), hd = c.headDim, rep = c.heads / c.kvHeads;
    auto [cos, sin] = ropeTables(c, base->invFreq, offset, T);
    auto h = base->embed.index_select(0, tokens.reshape(-1)).view({B, T, c.hidden});
    const int64_t S = offset + T;
    at::Tensor mask;
    if (T > 1) mask = at::ones({T, S}, at::kBool).triu(offset + 1);
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
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
      // GQA without copying K/V per query head (HF's repeat_kv): query head h uses kv head h / rep, so the rep
      // query heads of one kv head are stacked along the time axis, [B, kvHeads, rep·T, hd], and share its K/V.
      auto qg = q.contiguous().view({B, c.kvHeads, rep * T, hd});
      auto scores = at::matmul(qg, k.transpose(-2, -1)) * scale;  // [B, kvHeads, rep·T, S]
      if (mask.defined()) {
        auto m = rep > 1 ? mask.repeat({rep, 1}) : mask;
        scores = scores.masked_fill(m, -std::numeric_limits<float>::infinity());
      }
      auto attn = at::matmul(at::softmax(scores, -1), v)
                      .view({B, c.heads, T, hd})
                      .transpose(1, 2)
                      .reshape({B, T, c.heads * hd});
      h = h + proj(attn, L, lo, O);
      x = rmsNorm(h, L.postNorm, c.eps);
      auto g = at::silu(lin(x, L.w[GATE], lo[GATE])) * lin(x, L.w[UP], lo[UP]);
      h = h + lin(g, L.w[DOWN], lo[DOWN]);
    }
    return rmsNorm(h, base->norm, c.eps);
  }

  at::Tensor logits(const at::Tensor& h) const { return lin(h, base->lmHead, headLora); }

  std::vector<LoraPair*> trainables() {
    std::vector<LoraPair*> r;
    for (auto& l : loras) r.push_back(&l);
    return r;
  }
};

}  // namespace crucible
