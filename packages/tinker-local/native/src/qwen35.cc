// Qwen3.5 text models (model_type qwen3_5_text, and the text part of qwen3_5): a hybrid stack of Gated DeltaNet
// linear-attention layers and gated full-attention layers, from HF transformers' modeling_qwen3_5.py. Mirrors
// tools/reference/qwen35_torch_model.py op for op.
//
// Family details: RMSNorm weights are offsets (y = norm(x)·(1 + w), folded into the stored weight at load); the
// linear-attention output norm is gated (w·norm(o)·silu(z)); full attention gets a sigmoid output gate from the
// second half of each head of q_proj, q/k RMSNorm and rotary on the first head_dim·partial_rotary_factor dims.
// The gated delta rule runs in HF's chunked form (64-token chunks, UT transform by triangular solves) for training
// and prefill, and token by token on the recurrent state while decoding; autograd gives the backward.
#include <limits>

#include "engine_impl.h"

namespace crucible {

struct Qwen35Layer {  // the Gated DeltaNet tensors of a linear-attention layer (undefined on attention layers)
  at::Tensor a, b, conv, negA, dtBias, gnorm;  // negA = -exp(A_log)
};
struct Qwen35Weights {
  std::vector<Qwen35Layer> layers;
};

namespace {
constexpr int64_t kChunk = 64;

at::Tensor l2norm(const at::Tensor& x) { return x * at::rsqrt((x * x).sum(-1, true) + 1e-6); }

// HF torch_chunk_gated_delta_rule. q, k [B,H,T,dk] (L2-normed), v [B,H,T,dv], g, beta [B,H,T]; S [B,H,dk,dv] or
// undefined (zeros). Returns the output [B,H,T,dv] and the final state.
std::pair<at::Tensor, at::Tensor> chunkedRule(at::Tensor q, at::Tensor k, at::Tensor v, at::Tensor g, at::Tensor beta,
                                              at::Tensor S) {
  const int64_t B = k.size(0), H = k.size(1), T = k.size(2), dk = k.size(3), dv = v.size(3);
  q = q * std::pow(static_cast<double>(dk), -0.5);
  const int64_t pad = (kChunk - T % kChunk) % kChunk, n = (T + pad) / kChunk;
  if (pad > 0) {
    q = at::constant_pad_nd(q, {0, 0, 0, pad});
    k = at::constant_pad_nd(k, {0, 0, 0, pad});
    v = at::constant_pad_nd(v, {0, 0, 0, pad});
    beta = at::constant_pad_nd(beta, {0, pad});
    g = at::constant_pad_nd(g, {0, pad});
  }
  auto vBeta = (v * beta.unsqueeze(-1)).reshape({B, H, n, kChunk, dv});
  auto kBeta = (k * beta.unsqueeze(-1)).reshape({B, H, n, kChunk, dk});
  q = q.reshape({B, H, n, kChunk, dk});
  k = k.reshape({B, H, n, kChunk, dk});
  g = g.reshape({B, H, n, kChunk});
  auto upper = at::ones({kChunk, kChunk}, g.options().dtype(at::kBool)).triu(1);
  auto cum = g.cumsum(-1);
  auto pair = (cum.unsqueeze(-1) - cum.unsqueeze(-2)).masked_fill(upper, -std::numeric_limits<float>::infinity()).exp();
  auto ut = at::matmul(kBeta, k.transpose(-1, -2)) * pair;
  auto intra = at::matmul(q, k.transpose(-1, -2)) * pair;
  auto decayedKBeta = kBeta * cum.exp().unsqueeze(-1);
  auto newV = at::linalg_solve_triangular(ut, vBeta, /*upper=*/false, /*left=*/true, /*unitriangular=*/true);
  auto kCum = at::linalg_solve_triangular(ut, decayedKBeta, false, true, true);
  if (!S.defined()) S = at::zeros({B, H, dk, dv}, v.options());
  q = q * cum.exp().unsqueeze(-1);
  k = k * (cum.narrow(-1, kChunk - 1, 1) - cum).exp().unsqueeze(-1);
  auto chunkDecay = cum.select(-1, kChunk - 1).exp().unsqueeze(-1).unsqueeze(-1);  // [B,H,n,1,1]
  std::vector<at::Tensor> outs;
  outs.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    auto vNew = newV.select(2, i) - at::matmul(kCum.select(2, i), S);
    outs.push_back(at::matmul(q.select(2, i), S) + at::matmul(intra.select(2, i), vNew));
    S = S * chunkDecay.select(2, i) + at::matmul(k.select(2, i).transpose(-1, -2), vNew);
  }
  auto out = at::stack(outs, 2).reshape({B, H, -1, dv}).narrow(2, 0, T);
  return {out, S};
}

// HF torch_recurrent_gated_delta_rule: the same arguments and results, one token at a time (decoding).
std::pair<at::Tensor, at::Tensor> recurrentRule(at::Tensor q, const at::Tensor& k, const at::Tensor& v,
                                                const at::Tensor& g, const at::Tensor& beta, at::Tensor S) {
  const int64_t B = k.size(0), H = k.size(1), T = k.size(2), dk = k.size(3), dv = v.size(3);
  q = q * std::pow(static_cast<double>(dk), -0.5);
  if (!S.defined()) S = at::zeros({B, H, dk, dv}, v.options());
  std::vector<at::Tensor> outs;
  for (int64_t t = 0; t < T; ++t) {
    auto kt = k.select(2, t).unsqueeze(-1);  // [B,H,dk,1]
    S = S * g.select(2, t).exp().unsqueeze(-1).unsqueeze(-1);
    auto kvMem = (S * kt).sum(-2);
    auto delta = (v.select(2, t) - kvMem) * beta.select(2, t).unsqueeze(-1);
    S = S + kt * delta.unsqueeze(-2);
    outs.push_back((S * q.select(2, t).unsqueeze(-1)).sum(-2));
  }
  return {at::stack(outs, 2), S};
}

// The layer functions take the adapter's Impl (private to Adapter, hence a template parameter) for lin() and the
// LoRA pairs of each slot.
// Gated DeltaNet token mixer of layer l on x [B,T,H] (already input-normed).
template <typename Impl>
at::Tensor linearAttention(const Impl& I, int64_t l, const at::Tensor& x, KVCache* cache) {
  const auto& c = I.base->cfg;
  const auto& L = I.base->layers[l];
  const auto& X = I.base->q35->layers[l];
  const auto& lo = I.layerLora[l];
  const int64_t B = x.size(0), T = x.size(1), nk = c.linKHeads, nv = c.linVHeads, dk = c.linKDim, dv = c.linVDim;
  const int64_t kd = nk * dk, vd = nv * dv, kernel = c.convKernel;
  auto qkv = at::cat({I.lin(x, L.w[Q], lo[Q]), I.lin(x, L.w[K], lo[K]), I.lin(x, L.w[V], lo[V])}, -1).transpose(1, 2);
  auto z = I.lin(x, L.w[ZPROJ], lo[ZPROJ]).view({B, T, nv, dv});
  auto b = at::linear(x, X.b);
  auto a = at::linear(x, X.a);
  const int64_t C = qkv.size(1);
  at::Tensor conv;
  if (cache) {  // the window continues the previous tokens (zeros before the first one, as padding would be)
    auto& st = cache->conv[l];
    auto window = at::cat({st, qkv}, -1);
    st.copy_(window.narrow(-1, window.size(-1) - (kernel - 1), kernel - 1));
    conv = at::conv1d(window, X.conv, c10::nullopt, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, C);
  } else {
    conv = at::conv1d(qkv, X.conv, c10::nullopt, at::IntArrayRef{1}, at::IntArrayRef{kernel - 1}, at::IntArrayRef{1}, C)
               .narrow(-1, 0, T);
  }
  auto mixed = at::silu(conv).transpose(1, 2);  // [B,T,C]
  auto q = mixed.narrow(-1, 0, kd).reshape({B, T, nk, dk});
  auto k = mixed.narrow(-1, kd, kd).reshape({B, T, nk, dk});
  auto v = mixed.narrow(-1, 2 * kd, vd).reshape({B, T, nv, dv});
  auto beta = b.sigmoid();
  auto g = X.negA * at::softplus(a.to(at::kFloat) + X.dtBias);  // float32, as HF computes the decay
  const int64_t rep = nv / nk;  // each key head serves rep consecutive value heads
  q = l2norm(q.repeat_interleave(rep, 2));
  k = l2norm(k.repeat_interleave(rep, 2));
  // [B,H,T,·] in float32: HF runs the delta rule in float32 whatever the model dtype (bf16 on CUDA)
  auto bh = [](const at::Tensor& t) { return t.transpose(1, 2).to(at::kFloat).contiguous(); };
  at::Tensor S0 = cache ? cache->state[l] : at::Tensor();
  auto r = cache && T == 1 ? recurrentRule(bh(q), bh(k), bh(v), bh(g), bh(beta), S0.clone())
                           : chunkedRule(bh(q), bh(k), bh(v), bh(g), bh(beta), cache ? S0.clone() : at::Tensor());
  if (cache) cache->state[l].copy_(r.second);
  auto o = rmsNorm(r.first.transpose(1, 2).to(x.scalar_type()), X.gnorm, c.eps) * at::silu(z);
  return I.lin(o.reshape({B, T, vd}), L.w[O], lo[O]);
}

// Gated full attention of layer l: partial rotary, q/k norm, output · sigmoid(gate); KV cache as in run().
template <typename Impl>
at::Tensor fullAttention(const Impl& I, int64_t l, const at::Tensor& x, const at::Tensor& cos,
                         const at::Tensor& sin, int64_t offset, KVCache* cache) {
  const auto& c = I.base->cfg;
  const auto& L = I.base->layers[l];
  const auto& lo = I.layerLora[l];
  const int64_t B = x.size(0), T = x.size(1), hd = c.headDim, rep = c.heads / c.kvHeads;
  auto qg = I.lin(x, L.w[Q], lo[Q]).view({B, T, c.heads, 2 * hd});
  auto q = qg.narrow(-1, 0, hd);
  auto gate = qg.narrow(-1, hd, hd).reshape({B, T, c.heads * hd});
  auto k = I.lin(x, L.w[K], lo[K]).view({B, T, c.kvHeads, hd});
  auto v = I.lin(x, L.w[V], lo[V]).view({B, T, c.kvHeads, hd}).transpose(1, 2);
  q = rmsNorm(q, L.qNorm, c.eps).transpose(1, 2);
  k = rmsNorm(k, L.kNorm, c.eps).transpose(1, 2);
  q = applyRope(q, cos, sin);  // the first rotary dims of each head; the rest pass through
  k = applyRope(k, cos, sin);
  const int64_t S = offset + T;
  if (cache) {
    cache->k[l].narrow(2, offset, T).copy_(k);
    cache->v[l].narrow(2, offset, T).copy_(v);
    k = cache->k[l].narrow(2, 0, S);
    v = cache->v[l].narrow(2, 0, S);
  }
  // GQA as in run(): the rep query heads of one kv head are stacked along time and share its K/V.
  auto qh = q.contiguous().view({B, c.kvHeads, rep * T, hd});
  auto scores = at::matmul(qh, k.transpose(-2, -1)) * std::pow(static_cast<double>(hd), -0.5);  // HF: head_dim**-0.5
  if (T > 1) {
    auto mask = at::ones({T, S}, x.options().dtype(at::kBool)).triu(offset + 1);
    scores = scores.masked_fill(rep > 1 ? mask.repeat({rep, 1}) : mask, -std::numeric_limits<float>::infinity());
  }
  auto attn =
      at::matmul(at::softmax(scores, -1), v).view({B, c.heads, T, hd}).transpose(1, 2).reshape({B, T, c.heads * hd});
  return I.lin(attn * at::sigmoid(gate), L.w[O], lo[O]);
}
}  // namespace

at::Tensor Adapter::Impl::runQwen35(const at::Tensor& tokens, int64_t offset, KVCache* cache) const {
  const auto& I = *this;
  const auto& m = *I.base;
  const auto& c = m.cfg;
  const int64_t B = tokens.size(0), T = tokens.size(1);
  auto [cos0, sin0] = ropeTables(c, m.invFreq, offset, T);  // small float32 tables, built on the host
  auto cos = cos0.to(m.device, m.dtype), sin = sin0.to(m.device, m.dtype);
  auto h = m.embed.index_select(0, tokens.reshape(-1)).view({B, T, c.hidden});
  for (int64_t l = 0; l < c.layers; ++l) {
    const auto& L = m.layers[l];
    const auto& lo = I.layerLora[l];
    auto x = rmsNorm(h, L.inNorm, c.eps);
    h = h + (c.layerTypes[l] == 1 ? linearAttention(I, l, x, cache) : fullAttention(I, l, x, cos, sin, offset, cache));
    x = rmsNorm(h, L.postNorm, c.eps);
    auto g = at::silu(I.lin(x, L.w[GATE], lo[GATE])) * I.lin(x, L.w[UP], lo[UP]);
    h = h + I.lin(g, L.w[DOWN], lo[DOWN]);
  }
  return rmsNorm(h, m.norm, c.eps);
}

void loadQwen35(BaseModel& m, const WeightGetter& get) {
  const auto& c = m.cfg;
  const int64_t H = c.hidden, hd = c.headDim, I = c.inter, nk = c.linKHeads, nv = c.linVHeads;
  const int64_t kd = nk * c.linKDim, vd = nv * c.linVDim;
  check(static_cast<int64_t>(c.layerTypes.size()) == c.layers, "config: layer_types must have one entry per layer");
  check(!c.invFreq.empty() && static_cast<int64_t>(c.invFreq.size()) * 2 <= hd,
        "config: rotary dims (invFreq) must be at most head_dim");
  check(c.heads % c.kvHeads == 0, "config: num_attention_heads must be a multiple of num_key_value_heads");
  check(nk > 0 && nv % nk == 0, "config: linear_num_value_heads must be a multiple of linear_num_key_heads");
  check(c.convKernel >= 1, "config: linear_conv_kernel_dim must be positive");
  m.invFreq = at::tensor(c.invFreq, at::kFloat);
  m.norm = m.norm + 1;  // offset parameterisation: the stored weight is w, the scale 1 + w
  auto w = std::make_shared<Qwen35Weights>();
  w->layers.resize(c.layers);
  const std::array<const char*, 3> mlp = {"mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};
  for (int64_t l = 0; l < c.layers; ++l) {
    auto p = "model.layers." + std::to_string(l) + ".";
    LayerW L;
    L.inNorm = get(p + "input_layernorm.weight", {H}) + 1;
    L.postNorm = get(p + "post_attention_layernorm.weight", {H}) + 1;
    L.w[GATE] = get(p + mlp[0] + ".weight", {I, H});
    L.w[UP] = get(p + mlp[1] + ".weight", {I, H});
    L.w[DOWN] = get(p + mlp[2] + ".weight", {H, I});
    for (int j = 0; j < 3; ++j) L.names[GATE + j] = mlp[j];
    if (c.layerTypes[l] == 1) {
      auto a = p + "linear_attn.";
      auto qkv = get(a + "in_proj_qkv.weight", {2 * kd + vd, H});
      // Tinker adapts q, k and v of the fused projection separately (in_proj_q/k/v): keep the row blocks apart.
      L.w[Q] = qkv.narrow(0, 0, kd).contiguous();
      L.w[K] = qkv.narrow(0, kd, kd).contiguous();
      L.w[V] = qkv.narrow(0, 2 * kd, vd).contiguous();
      L.w[ZPROJ] = get(a + "in_proj_z.weight", {vd, H});
      L.w[O] = get(a + "out_proj.weight", {H, vd});
      L.names[Q] = "linear_attn.in_proj_q";
      L.names[K] = "linear_attn.in_proj_k";
      L.names[V] = "linear_attn.in_proj_v";
      L.names[ZPROJ] = "linear_attn.in_proj_z";
      L.names[O] = "linear_attn.out_proj";
      auto& X = w->layers[l];
      X.b = get(a + "in_proj_b.weight", {nv, H});
      X.a = get(a + "in_proj_a.weight", {nv, H});
      X.conv = get(a + "conv1d.weight", {2 * kd + vd, 1, c.convKernel});
      X.negA = -get(a + "A_log", {nv}).to(at::kFloat).exp();  // decay parameters stay float32 (HF: A_log.float())
      X.dtBias = get(a + "dt_bias", {nv}).to(at::kFloat);
      X.gnorm = get(a + "norm.weight", {c.linVDim});
    } else {
      const std::array<std::vector<int64_t>, 4> shapes = {std::vector<int64_t>{c.heads * hd * 2, H},
                                                          {c.kvHeads * hd, H},
                                                          {c.kvHeads * hd, H},
                                                          {H, c.heads * hd}};
      for (int j = Q; j <= O; ++j) {
        L.w[j] = get(p + kProjNames[j] + ".weight", shapes[j]);
        L.names[j] = kProjNames[j];
      }
      L.qNorm = get(p + "self_attn.q_norm.weight", {hd}) + 1;
      L.kNorm = get(p + "self_attn.k_norm.weight", {hd}) + 1;
    }
    m.layers.push_back(std::move(L));
  }
  m.q35 = w;
}

}  // namespace crucible
