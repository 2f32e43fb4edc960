// RoPE as Hugging Face transformers applies it (modeling_rope_utils + apply_rotary_pos_emb), for the engine's
// decoders: cos/sin tables with the attention scaling applied, dynamic NTK recomputation, partial rotary.
#pragma once
#include <ATen/ATen.h>

#include <cmath>
#include <utility>

#include "engine.h"

namespace crucible {

inline at::Tensor rotateHalf(const at::Tensor& x) {
  auto half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// cos/sin [T, rotaryDim] for absolute positions offset..offset+T-1. With dynamic NTK the frequencies follow the
// sequence length S = offset + T (HF: max(position_ids) + 1) once it exceeds maxPos, in float32 like HF's
// tensor arithmetic; HF additionally keeps the largest length seen in module state, which a stateless engine
// does not (identical for a fresh model and for growing sequences, i.e. prefill then decode).
inline std::pair<at::Tensor, at::Tensor> ropeTables(const ModelConfig& c, const at::Tensor& invFreq, int64_t offset,
                                                    int64_t T) {
  auto inv = invFreq;
  const int64_t S = offset + T;
  if (c.ropeDynamic > 0 && S > c.maxPos) {
    const int64_t dim = invFreq.size(0) * 2;
    const double f = c.ropeDynamic;
    auto seq = at::scalar_tensor(S, at::kLong);
    auto base = ((seq * f / c.maxPos) - (f - 1)).pow(static_cast<double>(dim) / (dim - 2)) * c.ropeTheta;
    inv = 1.0 / at::pow(base, at::arange(0, dim, 2, at::kLong).to(at::kFloat) / dim);
  }
  auto pos = at::arange(offset, S, at::kFloat);
  auto freqs = at::outer(pos, inv);
  auto emb = at::cat({freqs, freqs}, -1);
  auto cos = emb.cos(), sin = emb.sin();
  if (c.ropeScale != 1.0) {
    cos = cos * c.ropeScale;
    sin = sin * c.ropeScale;
  }
  return {cos, sin};
}

// x [..., T, headDim]: rotates the first rotaryDim (= cos.size(-1)) dims of each head, passes the rest through.
inline at::Tensor applyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t rd = cos.size(-1), hd = x.size(-1);
  if (rd == hd) return x * cos + rotateHalf(x) * sin;
  auto rot = x.narrow(-1, 0, rd);
  return at::cat({rot * cos + rotateHalf(rot) * sin, x.narrow(-1, rd, hd - rd)}, -1);
}

}  // namespace crucible
