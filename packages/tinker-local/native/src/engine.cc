// The numeric engine: Llama/Qwen3 decoder with LoRA on libtorch (ATen + autograd).
// Mirrors tools/reference/engine_parity.py op for op so float32 results match PyTorch.
#include "engine.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine_impl.h"

namespace crucible {
namespace {
std::atomic<int> gThreads{0};
}  // namespace

void applyThreads() {
  int n = gThreads.load();
  if (n > 0 && at::get_num_threads() != n) at::set_num_threads(n);
}

namespace {
// Rows of the head per chunk in Adapter::forward: 64 MiB of float32 logits, or CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS (tests
// use it to split small batches).
int64_t headChunkRows(int64_t vocab) {
  const char* env = std::getenv("CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS");
  if (env && *env) return std::max<int64_t>(1, std::strtoll(env, nullptr, 10));
  return std::max<int64_t>(1, (int64_t(64) << 20) / (vocab * int64_t(sizeof(float))));
}

at::ScalarType parseDtype(const std::string& d) {
  if (d == "F32") return at::kFloat;
  if (d == "F16") return at::kHalf;
  if (d == "BF16") return at::kBFloat16;
  throw std::runtime_error("unsupported safetensors dtype " + d + " (use F32, F16 or BF16)");
}

// Read on the host in the file's dtype, then one copy to the device in the compute dtype (bf16 on CUDA: a BF16
// checkpoint goes to the GPU without a float32 detour).
at::Tensor fromRaw(const RawTensor& r, const BaseModel& m) {
  auto t = at::empty(r.shape, at::TensorOptions().dtype(parseDtype(r.dtype)));
  check(static_cast<uint64_t>(t.nbytes()) == r.nbytes, "tensor " + r.name + ": byte size does not match its shape");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(r.file.c_str(), "rb"), &std::fclose);
  check(f != nullptr, "cannot open " + r.file);
  check(std::fseek(f.get(), static_cast<long>(r.offset), SEEK_SET) == 0 &&
            std::fread(t.data_ptr(), 1, r.nbytes, f.get()) == r.nbytes,
        "cannot read tensor " + r.name + " from " + r.file + " (file truncated?)");
  return t.to(m.device, m.dtype);
}

// A tensor over the host buffer itself (no copy); only ever read (the source of a copy_).
at::Tensor fromHost(const HostTensor& h) {
  int64_t n = 1;
  for (auto d : h.shape) n *= d;
  check(static_cast<size_t>(n) == h.size(), "tensor " + h.name + ": data size does not match its shape");
  return at::from_blob(const_cast<float*>(h.ptr()), h.shape, at::kFloat);
}

HostTensor toHost(const std::string& name, const at::Tensor& t0) {
  auto t = t0.detach().to(at::kCPU, at::kFloat).contiguous();
  HostTensor h;
  h.name = name;
  h.shape = t.sizes().vec();
  h.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  return h;
}
}  // namespace

std::shared_ptr<BaseModel> loadBaseModel(const ModelConfig& cfg, const std::vector<RawTensor>& weights) {
  return guarded([&] {
    at::NoGradGuard ng;
    checkDevice(cfg.device);
    auto m = std::make_shared<BaseModel>();
    m->cfg = cfg;
    m->device = at::Device(cfg.device);
    if (m->device.is_cuda() && !m->device.has_index()) m->device = at::Device(at::kCUDA, 0);
    m->dtype = m->device.is_cpu() ? at::kFloat : at::kBFloat16;
    if (m->device.is_cpu()) installCachingAllocator();  // page-fault savings are a CPU matter (alloc.cc)
    std::map<std::string, const RawTensor*> byName;
    for (auto& w : weights) byName[w.name] = &w;
    auto get = [&](const std::string& n, std::vector<int64_t> shape) {
      auto it = byName.find(n);
      check(it != byName.end(), "weights: missing tensor " + n);
      auto t = fromRaw(*it->second, *m);
      check(t.sizes().vec() == shape, "weights: " + n + " has shape " + c10::str(t.sizes()) + ", config expects " +
                                          c10::str(at::IntArrayRef(shape)));
      return t;
    };
    const int64_t H = cfg.hidden, hd = cfg.headDim, I = cfg.inter;
    m->embed = get("model.embed_tokens.weight", {cfg.vocab, H});
    m->norm = get("model.norm.weight", {H});
    m->lmHead = cfg.tied ? m->embed : get("lm_head.weight", {cfg.vocab, H});
    if (!cfg.layerTypes.empty()) {
      loadQwen35(*m, get);
      return m;
    }
    check(!cfg.invFreq.empty() && static_cast<int64_t>(cfg.invFreq.size()) * 2 <= hd,
          "config: invFreq must have rotaryDim/2 entries, rotaryDim <= headDim");
    m->invFreq = at::tensor(cfg.invFreq, at::kFloat);
    check(cfg.heads % cfg.kvHeads == 0, "config: num_attention_heads must be a multiple of num_key_value_heads");
    for (int64_t l = 0; l < cfg.layers; ++l) {
      auto p = "model.layers." + std::to_string(l) + ".";
      LayerW L;
      L.inNorm = get(p + "input_layernorm.weight", {H});
      L.postNorm = get(p + "post_attention_layernorm.weight", {H});
      if (cfg.qkNorm) {
        L.qNorm = get(p + "self_attn.q_norm.weight", {hd});
        L.kNorm = get(p + "self_attn.k_norm.weight", {hd});
      }
      std::array<std::vector<int64_t>, NPROJ> shapes = {
          std::vector<int64_t>{cfg.heads * hd, H}, {cfg.kvHeads * hd, H}, {cfg.kvHeads * hd, H}, {H, cfg.heads * hd},
          {I, H}, {I, H}, {H, I}};
      L.sparse = l < static_cast<int64_t>(cfg.sparseLayers.size()) && cfg.sparseLayers[l] != 0;
      for (int j = 0; j < NPROJ; ++j)
        if (!L.sparse || j < GATE) {
          L.w[j] = get(p + kProjNames[j] + ".weight", shapes[j]);
          L.names[j] = kProjNames[j];
        }
      if (L.sparse) {
        const int64_t E = cfg.experts, MI = cfg.moeInter;
        L.moe.router = get(p + "mlp.gate.weight", {E, H});
        std::vector<at::Tensor> g, u, d;
        for (int64_t e = 0; e < E; ++e) {
          auto q = p + "mlp.experts." + std::to_string(e) + ".";
          g.push_back(get(q + "gate_proj.weight", {MI, H}));
          u.push_back(get(q + "up_proj.weight", {MI, H}));
          d.push_back(get(q + "down_proj.weight", {H, MI}));
        }
        L.moe.gate = at::stack(g), L.moe.up = at::stack(u), L.moe.down = at::stack(d);
      }
      for (int j : {Q, K, V, O})
        if (j == O ? cfg.oBias : cfg.qkvBias) L.b[j] = get(p + kProjNames[j] + ".bias", {shapes[j][0]});
      m->layers.push_back(std::move(L));
    }
    return m;
  });
}

Adapter::Adapter(std::shared_ptr<BaseModel> base, const LoraSpec& spec) : impl_(new Impl) {
  guarded([&] {
    impl_->base = base;
    impl_->spec = spec;
    const auto& c = base->cfg;
    const int64_t r = spec.rank;
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes;  // key -> (A, B) shapes
    for (int64_t l = 0; l < c.layers; ++l) {
      const auto& L = base->layers[l];
      auto p = "model.layers." + std::to_string(l) + ".";
      for (int j = 0; j < NSLOT; ++j)
        if (!L.names[j].empty()) shapes[p + L.names[j]] = {{r, L.w[j].size(1)}, {L.w[j].size(0), r}};
      if (L.sparse) {  // Tinker's shapes: the hidden-side factor is shared by all experts
        const int64_t E = c.experts, H = c.hidden, MI = c.moeInter;
        shapes[p + kExpertLoraNames[0]] = {{1, r, H}, {E, MI, r}};
        shapes[p + kExpertLoraNames[1]] = {{1, r, H}, {E, MI, r}};
        shapes[p + kExpertLoraNames[2]] = {{E, r, MI}, {1, H, r}};
      }
    }
    shapes["lm_head"] = {{r, c.hidden}, {c.vocab, r}};
    auto sorted = spec.modules;
    std::sort(sorted.begin(), sorted.end());
    impl_->loras.reserve(sorted.size());
    for (auto& key : sorted) {
      auto it = shapes.find(key);
      check(it != shapes.end(), "LoRA: unknown module " + key);
      check(spec.rank > 0, "LoRA: rank must be positive");
      LoraPair p;
      p.key = key;
      p.A = at::zeros(it->second.first, base->opts(at::kFloat)).requires_grad_(true);
      p.B = at::zeros(it->second.second, base->opts(at::kFloat)).requires_grad_(true);
      p.mA = at::zeros_like(p.A.detach());
      p.vA = at::zeros_like(p.A.detach());
      p.mB = at::zeros_like(p.B.detach());
      p.vB = at::zeros_like(p.B.detach());
      impl_->loras.push_back(std::move(p));
    }
    impl_->layerLora.assign(c.layers, std::array<LoraPair*, NSLOT>{});
    impl_->layerExpertLora.assign(c.layers, std::array<LoraPair*, 3>{});
    for (auto& p : impl_->loras) {
      if (p.key == "lm_head") {
        impl_->headLora = &p;
        continue;
      }
      for (int64_t l = 0; l < c.layers; ++l)
        for (int j = 0; j < NSLOT; ++j) {
          const auto& name = base->layers[l].names[j];
          if (!name.empty() && p.key == "model.layers." + std::to_string(l) + "." + name) impl_->layerLora[l][j] = &p;
        }
      for (int64_t l = 0; l < c.layers; ++l)
        for (int j = 0; j < 3; ++j)
          if (p.key == "model.layers." + std::to_string(l) + "." + kExpertLoraNames[j]) impl_->layerExpertLora[l][j] = &p;
    }
    return 0;
  });
}

Adapter::~Adapter() = default;

std::vector<float> Adapter::forward(const ForwardInput& in) {
  return guarded([&] {
    auto& I = *impl_;
    const auto& c = I.base->cfg;
    const int64_t nb = static_cast<int64_t>(in.lens.size());
    check(nb > 0 && in.ks.size() == in.lens.size(), "forward: empty batch or lens/ks mismatch");
    int64_t Tmax = 0, ntok = 0, ntgt = 0, Kmax = 1;
    for (int64_t b = 0; b < nb; ++b) {
      Tmax = std::max(Tmax, in.lens[b]);
      ntok += in.lens[b];
      ntgt += in.lens[b] * in.ks[b];
      Kmax = std::max(Kmax, in.ks[b]);
    }
    check(ntok == static_cast<int64_t>(in.tokens.size()) && ntgt == static_cast<int64_t>(in.targets.size()),
          "forward: token/target counts do not match lens and ks");
    auto tok = at::zeros({nb, Tmax}, at::kLong);
    auto tgt = at::zeros({ntok, Kmax}, at::kLong);
    auto rows = at::empty({ntok}, at::kLong);
    auto sel = at::empty({ntgt}, at::kLong);
    auto tokA = tok.accessor<int64_t, 2>();
    auto tgtA = tgt.accessor<int64_t, 2>();
    auto rowsP = rows.data_ptr<int64_t>();
    auto selP = sel.data_ptr<int64_t>();
    int64_t ti = 0, gi = 0, r = 0;
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t t = 0; t < in.lens[b]; ++t, ++r) {
        int32_t id = in.tokens[ti++];
        check(id >= 0 && id < c.vocab, "forward: input token id " + std::to_string(id) + " out of vocabulary");
        tokA[b][t] = id;
        rowsP[r] = b * Tmax + t;
        for (int64_t k = 0; k < in.ks[b]; ++k) {
          int32_t y = in.targets[gi];
          check(y >= 0 && y < c.vocab, "forward: target token id " + std::to_string(y) + " out of vocabulary");
          tgtA[r][k] = y;
          selP[gi++] = r * Kmax + k;
        }
      }
    const auto dev = I.base->device;
    tok = tok.to(dev), tgt = tgt.to(dev), rows = rows.to(dev), sel = sel.to(dev);
    c10::AutoGradMode gm(in.keepGraph);
    auto h = I.run(tok, 0, nullptr).reshape({nb * Tmax, c.hidden}).index_select(0, rows);
    // The head runs over row chunks (headChunkRows): autograd then keeps one [rows × vocab]
    // tensor (each chunk's logits, saved by logsumexp) for backward and each chunk's temporaries die with the chunk,
    // instead of the logits, logsumexp's and its gradient's temporaries for every row at once. gather − logsumexp,
    // not log_softmax: at a 151k vocabulary libtorch's float32 log_softmax differs from the sampler's logprobs
    // (double-precision sums) by ~1.5e-4, logsumexp by < 5e-5 (qwen35-http.test.ts).
    const int64_t chunk = headChunkRows(c.vocab);
    std::vector<at::Tensor> parts;
    for (int64_t s = 0; s < ntok; s += chunk) {
      const int64_t n = std::min(chunk, ntok - s);
      auto lg = I.logits(h.narrow(0, s, n)).to(at::kFloat);  // logprobs in float32 whatever the compute dtype
      parts.push_back(lg.gather(1, tgt.narrow(0, s, n)) - lg.logsumexp(-1, true));
    }
    auto lp = parts.size() == 1 ? parts[0] : at::cat(parts);
    if (in.keepGraph) {
      I.lastLp = lp;
      I.lastSel = sel;
    }
    auto out = lp.detach().reshape(-1).index_select(0, sel).to(at::kCPU).contiguous();
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
  });
}

void Adapter::backward(const std::vector<float>& g) {
  guarded([&] {
    auto& I = *impl_;
    check(I.lastLp.defined(), "backward: no forward with gradients pending");
    check(static_cast<int64_t>(g.size()) == I.lastSel.numel(), "backward: gradient size does not match forward");
    auto gt = at::zeros({I.lastLp.numel()}, I.base->opts(at::kFloat));
    gt.index_copy_(0, I.lastSel, at::tensor(g, at::kFloat).to(I.base->device));
    auto lp = I.lastLp;
    I.lastLp = at::Tensor();
    I.lastSel = at::Tensor();
    lp.backward(gt.view(lp.sizes()));
    return 0;
  });
}

double Adapter::adamStep(const AdamParams& p) {
  return guarded([&] {
    at::NoGradGuard ng;
    auto& I = *impl_;
    I.lastLp = at::Tensor();
    std::vector<at::Tensor> ps, ms, vs, gs;
    for (auto& l : I.loras) {
      ps.insert(ps.end(), {l.A, l.B});
      ms.insert(ms.end(), {l.mA, l.mB});
      vs.insert(vs.end(), {l.vA, l.vB});
    }
    for (auto& t : ps) gs.push_back(t.grad().defined() ? t.grad() : at::zeros_like(t));
    // Multi-tensor (_foreach) ops: on a GPU one kernel launch per op for all LoRA tensors instead of one per tensor
    // (a Qwen3-8B adapter has 506); on the CPU they run the same per-tensor maths.
    auto total = gs.empty() ? at::zeros({}, I.base->opts(at::kFloat)) : at::stack(at::_foreach_norm(gs, 2)).norm(2);
    double gradNorm = total.item<double>();
    if (p.gradClipNorm > 0) {
      auto coef = (p.gradClipNorm / (total + 1e-6)).clamp_max(1.0);
      for (auto& g : gs) g.mul_(coef);
    }
    I.step += 1;
    const double bc1 = 1 - std::pow(p.beta1, static_cast<double>(I.step));
    const double bc2 = 1 - std::pow(p.beta2, static_cast<double>(I.step));
    if (!ps.empty()) {
      at::_foreach_mul_(ps, 1 - p.lr * p.weightDecay);
      at::_foreach_mul_(ms, p.beta1);
      at::_foreach_add_(ms, gs, 1 - p.beta1);
      at::_foreach_mul_(vs, p.beta2);
      at::_foreach_addcmul_(vs, gs, gs, 1 - p.beta2);
      auto denom = at::_foreach_sqrt(vs);
      at::_foreach_div_(denom, std::sqrt(bc2));
      at::_foreach_add_(denom, p.eps);
      at::_foreach_addcdiv_(ps, ms, denom, -(p.lr / bc1));
    }
    for (auto& prm : ps)
      if (prm.grad().defined()) prm.mutable_grad() = at::Tensor();
    return gradNorm;
  });
}

std::vector<HostTensor> Adapter::getTensors(const std::string& kind) const {
  return guarded([&] {
    std::vector<HostTensor> out;
    for (auto& l : impl_->loras) {
      at::Tensor a, b;
      if (kind == "params") a = l.A, b = l.B;
      else if (kind == "exp_avg") a = l.mA, b = l.mB;
      else if (kind == "exp_avg_sq") a = l.vA, b = l.vB;
      else if (kind == "grads") {
        a = l.A.grad().defined() ? l.A.grad() : at::zeros_like(l.A);
        b = l.B.grad().defined() ? l.B.grad() : at::zeros_like(l.B);
      } else throw std::runtime_error("getTensors: unknown kind " + kind);
      out.push_back(toHost(l.key + ".lora_A.weight", a));
      out.push_back(toHost(l.key + ".lora_B.weight", b));
    }
    return out;
  });
}

void Adapter::setTensors(const std::string& kind, const std::vector<HostTensor>& ts) {
  guarded([&] {
    at::NoGradGuard ng;
    std::map<std::string, const HostTensor*> byName;
    for (auto& t : ts) byName[t.name] = &t;
    check(byName.size() == impl_->loras.size() * 2,
          "setTensors: expected " + std::to_string(impl_->loras.size() * 2) + " tensors, got " +
              std::to_string(byName.size()) + " (adapter built for a different LoRA config?)");
    for (auto& l : impl_->loras) {
      for (int ab = 0; ab < 2; ++ab) {
        auto name = l.key + (ab == 0 ? ".lora_A.weight" : ".lora_B.weight");
        auto it = byName.find(name);
        check(it != byName.end(), "setTensors: missing " + name);
        at::Tensor* dst;
        if (kind == "params") dst = ab == 0 ? &l.A : &l.B;
        else if (kind == "exp_avg") dst = ab == 0 ? &l.mA : &l.mB;
        else if (kind == "exp_avg_sq") dst = ab == 0 ? &l.vA : &l.vB;
        else throw std::runtime_error("setTensors: unknown kind " + kind);
        auto src = fromHost(*it->second);
        check(src.sizes() == dst->sizes(), "setTensors: " + name + " has shape " + c10::str(src.sizes()) +
                                               ", adapter expects " + c10::str(dst->sizes()));
        dst->copy_(src);
      }
    }
    return 0;
  });
}

int64_t Adapter::optimizerStep() const { return impl_->step; }
void Adapter::setOptimizerStep(int64_t s) { impl_->step = s; }
void Adapter::zeroOptimizer() {
  at::NoGradGuard ng;
  impl_->step = 0;
  for (auto& l : impl_->loras) {
    l.mA.zero_(), l.vA.zero_(), l.mB.zero_(), l.vB.zero_();
    l.A.mutable_grad() = at::Tensor();
    l.B.mutable_grad() = at::Tensor();
  }
}
int64_t Adapter::numTrainable() const {
  int64_t n = 0;
  for (auto& l : impl_->loras) n += l.A.numel() + l.B.numel();
  return n;
}

void setNumThreads(int n) {
  gThreads.store(n);
  at::set_num_threads(n);
  try {
    at::set_num_interop_threads(1);
  } catch (...) {  // can only be set once per process
  }
}
int getNumThreads() { return at::get_num_threads(); }

}  // namespace crucible
