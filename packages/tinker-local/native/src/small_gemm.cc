// Decode-step linear layers: y = x·Wᵀ (+ α·(x·Aᵀ)·Bᵀ) for a handful of rows. OpenBLAS's sgemm packs the whole
// weight into panels on every call, so with 4 rows it moved weights at ~10 GB/s here, half of what one gemv
// streams (~20 GB/s); decoding is bound by reading the weights once per token. This kernel reads each weight row
// once and keeps one AVX2 accumulator per input row (rows in groups of 8). Used only when sampling (no autograd), see Impl::lin.
#include "engine_impl.h"

#if !defined(__x86_64__)
namespace crucible {
at::Tensor smallLinear(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, double, bool) {
  return {};  // no AVX2 kernel off x86-64: callers use libtorch
}
}  // namespace crucible
#else
#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>

namespace crucible {

namespace {
// Above 32 rows sgemm's packing is amortised enough; below, groups of 8 rows re-read a weight block from L2.
constexpr int64_t kGroup = 8, kMaxRows = kSmallLinearRows, kBlock = 64;

__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// out[m, n] (+)= α · Σ_k x[m, k] · W[n, k] for NR weight rows n..n+NR-1; x [M, K], W [N, K], out [M, N] row-major.
// The weight rows PREFETCH rows ahead are prefetched by hand: without it this loop moved ~9 GB/s (like sgemm), with
// it ~30 GB/s on the dev machine (measured with a standalone copy of this loop over 200 MB of weights).
constexpr int64_t PREFETCH = 4;
template <int M, int NR>
__attribute__((target("avx2,fma"))) inline void block(const float* x, const float* W, float* out, int64_t K,
                                                      int64_t N, int64_t n, float alpha, bool accumulate) {
  const int64_t K8 = K & ~int64_t(7);
  const float* w = W + n * K;
  const bool ahead = n + NR + PREFETCH <= N;
  __m256 acc[NR][M];
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) acc[r][m] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K8; k += 8) {
    __m256 wv[NR];
#pragma GCC unroll 8
    for (int r = 0; r < NR; ++r) {
      if (ahead) _mm_prefetch(reinterpret_cast<const char*>(w + (r + PREFETCH) * K + k), _MM_HINT_T0);
      wv[r] = _mm256_loadu_ps(w + r * K + k);
    }
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      const __m256 xv = _mm256_loadu_ps(x + m * K + k);
#pragma GCC unroll 8
      for (int r = 0; r < NR; ++r) acc[r][m] = _mm256_fmadd_ps(xv, wv[r], acc[r][m]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      float s = hsum(acc[r][m]);
      for (int64_t k = K8; k < K; ++k) s += x[m * K + k] * w[r * K + k];
      float& o = out[m * N + n + r];
      o = accumulate ? o + alpha * s : alpha * s;
    }
}

// Rows [n0, n1): two weight rows at a time while the accumulators fit the 16 AVX2 registers (M ≤ 4).
template <int M>
__attribute__((target("avx2,fma"))) void rowsTimesWt(const float* x, const float* W, float* out, int64_t K,
                                                     int64_t N, int64_t n0, int64_t n1, float alpha, bool accumulate) {
  constexpr int NR = M <= 4 ? 2 : 1;
  int64_t n = n0;
  for (; n + NR <= n1; n += NR) block<M, NR>(x, W, out, K, N, n, alpha, accumulate);
  for (; n < n1; ++n) block<M, 1>(x, W, out, K, N, n, alpha, accumulate);
}

using Kernel = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t, int64_t, float, bool);
constexpr Kernel kKernels[kGroup] = {rowsTimesWt<1>, rowsTimesWt<2>, rowsTimesWt<3>, rowsTimesWt<4>,
                                       rowsTimesWt<5>, rowsTimesWt<6>, rowsTimesWt<7>, rowsTimesWt<8>};

bool usable(const at::Tensor& t) { return t.scalar_type() == at::kFloat && t.is_contiguous() && t.dim() == 2; }
}  // namespace

at::Tensor smallLinear(const at::Tensor& x, const at::Tensor& W, const at::Tensor& xa, const at::Tensor& B,
                       double alpha, bool anyRows) {
  static const bool cpuOk = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const int64_t M = x.size(0), K = x.size(1), N = W.size(0);
  if (!cpuOk || M < 1 || (M > kMaxRows && !anyRows) || !usable(x) || !usable(W) || W.size(1) != K) return {};
  const bool lora = B.defined();
  if (lora && (!usable(xa) || !usable(B) || B.size(0) != N || B.size(1) != xa.size(1) || xa.size(0) != M)) return {};
  auto y = at::empty({M, N}, at::kFloat);
  const float *xp = x.data_ptr<float>(), *wp = W.data_ptr<float>();
  const float *ap = lora ? xa.data_ptr<float>() : nullptr, *bp = lora ? B.data_ptr<float>() : nullptr;
  const int64_t R = lora ? B.size(1) : 0;
  float* yp = y.data_ptr<float>();
  // Weight rows are split over the intra-op threads in blocks small enough for L2; each block serves every group
  // of up to 8 input rows (one register tile) and adds its LoRA term while it and its rows of y are cached.
  at::parallel_for(0, N, kBlock, [&](int64_t n0, int64_t n1) {
    for (int64_t b0 = n0; b0 < n1; b0 += kBlock) {
      const int64_t b1 = std::min(n1, b0 + kBlock);
      for (int64_t g = 0; g < M; g += kGroup) {
        const Kernel kern = kKernels[std::min(kGroup, M - g) - 1];
        kern(xp + g * K, wp, yp + g * N, K, N, b0, b1, 1.0f, false);
        if (lora) kern(ap + g * R, bp, yp + g * N, R, N, b0, b1, static_cast<float>(alpha), true);
      }
    }
  });
  return y;
}

}  // namespace crucible
#endif
