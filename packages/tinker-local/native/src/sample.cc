// KV-cached sampling: prefill once, decode the samples as one batch (see README "Sampling").
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/DistributionsHelper.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include "engine_impl.h"

namespace crucible {

namespace {
// Plain temperature sampling (no top-k/top-p) by inverse CDF: one uniform draw per row and a scan of exp(logits),
// instead of at::multinomial's exponential race, which draws one random number per vocabulary entry (1.4 ms of a
// ~6 ms decode step at vocab 32k) and re-checks the probabilities. Logprob = (x - max)/τ - log Σ exp((x - max)/τ),
// the log_softmax formula.
std::pair<at::Tensor, at::Tensor> sampleCdf(const at::Tensor& logits, double tau, at::Generator& gen) {
  const int64_t B = logits.size(0), V = logits.size(1);
  auto m = logits.amax(1, true);
  auto z = logits - m;
  if (tau != 1) z.mul_(1.0 / tau);
  auto e = z.exp().contiguous();  // unnormalised probabilities, vectorised exp
  auto sums = e.sum(1, false, at::kDouble).contiguous();
  auto zc = z.contiguous();
  auto tok = at::empty({B}, at::kLong);
  auto lp = at::empty({B}, at::kFloat);
  const float* ep = e.data_ptr<float>();
  const float* zp = zc.data_ptr<float>();
  const double* sp = sums.data_ptr<double>();
  auto* g = at::check_generator<at::CPUGeneratorImpl>(gen);
  std::lock_guard<std::mutex> lock(gen.mutex());
  for (int64_t r = 0; r < B; ++r) {
    const float* row = ep + r * V;
    at::uniform_real_distribution<double> uniform(0, 1);
    const double target = uniform(g) * sp[r];
    double acc = 0;
    int64_t pick = -1, lastPos = 0;
    for (int64_t i = 0; i < V; ++i) {
      if (row[i] > 0) lastPos = i;
      acc += row[i];
      if (acc > target) {  // strict: a zero-probability entry can never be picked
        pick = i;
        break;
      }
    }
    if (pick < 0) pick = lastPos;  // rounding left target at or above the scanned total
    tok.data_ptr<int64_t>()[r] = pick;
    lp.data_ptr<float>()[r] = static_cast<float>(zp[r * V + pick] - std::log(sp[r]));
  }
  return {tok, lp};
}

// Samples one token per row of logits [B,V]. Logprobs are of softmax(logits/τ) before top-k/top-p truncation.
// On a GPU everything stays there: the only host → device traffic is one uniform per row from the seeded CPU
// generator (inverse CDF by searchsorted over the cumulative probabilities), the same draw for every policy.
std::pair<at::Tensor, at::Tensor> sampleRows(const at::Tensor& logits, const SampleParams& p, at::Generator& gen) {
  const float inf = std::numeric_limits<float>::infinity();
  const int64_t V = logits.size(1);
  const bool host = logits.is_cpu();
  if (host && p.temperature > 0 && (p.topK <= 0 || p.topK >= V) && p.topP >= 1)
    return sampleCdf(logits, p.temperature, gen);
  if (p.temperature <= 0) {  // greedy; logprobs of the untempered distribution
    auto lsm = at::log_softmax(logits, -1);
    auto tok = lsm.argmax(-1);
    return {tok, lsm.gather(1, tok.unsqueeze(1)).squeeze(1)};
  }
  auto lsm = at::log_softmax(logits / p.temperature, -1);
  auto filt = lsm;
  if (p.topK > 0 && p.topK < V) {
    auto kth = std::get<0>(lsm.topk(p.topK, -1)).narrow(1, p.topK - 1, 1);
    filt = filt.masked_fill(filt < kth, -inf);
  }
  if (p.topP < 1) {
    auto sorted = filt.sort(-1, true);
    auto sv = std::get<0>(sorted), si = std::get<1>(sorted);
    auto pr = sv.softmax(-1);
    auto before = pr.cumsum(-1) - pr;  // mass strictly before each token; always keeps the top token
    sv = sv.masked_fill(before > p.topP, -inf);
    filt = at::full_like(filt, -inf).scatter(1, si, sv);
  }
  if (!host) {
    auto cdf = filt.softmax(-1).cumsum(-1);
    // at::rand takes the generator's lock itself (sampleCdf locks only because it draws from it directly)
    auto u = at::rand({logits.size(0), 1}, gen, at::TensorOptions().dtype(at::kFloat));
    auto target = u.to(logits.device()) * cdf.narrow(1, V - 1, 1);
    // right=true: the first entry whose cumulative mass exceeds the draw, so zero-probability entries never win
    auto tok = at::searchsorted(cdf, target, false, true).squeeze(1).clamp_max(V - 1);
    return {tok, lsm.gather(1, tok.unsqueeze(1)).squeeze(1)};
  }
  auto tok = at::multinomial(filt.softmax(-1), 1, false, gen).squeeze(1);
  return {tok, lsm.gather(1, tok.unsqueeze(1)).squeeze(1)};
}

// Per-layer decoding state for B rows and up to Tmax positions: a KV cache on attention layers; on Qwen3.5's
// linear-attention layers the conv window and the delta-rule state (zeros: the state before any token).
KVCache allocCache(const BaseModel& m, int64_t B, int64_t Tmax) {
  const auto& c = m.cfg;
  const auto opts = m.opts(m.dtype);  // on the model's device; the delta-rule state in float32 (as HF keeps it)
  KVCache cache;
  const int64_t L = c.layers;
  cache.k.resize(L), cache.v.resize(L), cache.conv.resize(L), cache.state.resize(L);
  for (int64_t l = 0; l < L; ++l) {
    if (!c.layerTypes.empty() && c.layerTypes[l] == 1) {
      const int64_t convDim = 2 * c.linKHeads * c.linKDim + c.linVHeads * c.linVDim;
      cache.conv[l] = at::zeros({B, convDim, c.convKernel - 1}, opts);
      cache.state[l] = at::zeros({B, c.linVHeads, c.linKDim, c.linVDim}, m.opts(at::kFloat));
    } else {
      cache.k[l] = at::empty({B, c.kvHeads, Tmax, c.headDim}, opts);
      cache.v[l] = at::empty({B, c.kvHeads, Tmax, c.headDim}, opts);
    }
  }
  return cache;
}

// Applies f(tensor, member index) to every defined per-layer tensor of the cache.
template <typename F>
void forEachCacheTensor(KVCache& cache, F&& f) {
  for (auto* ts : {&cache.k, &cache.v, &cache.conv, &cache.state})
    for (auto& t : *ts)
      if (t.defined()) f(t);
}

void writeStep(const std::pair<at::Tensor, at::Tensor>& s, SampleStepOut& out) {
  auto t = s.first.to(at::kCPU, at::kInt).contiguous();
  auto l = s.second.to(at::kCPU).contiguous();
  out.tokens.assign(t.data_ptr<int32_t>(), t.data_ptr<int32_t>() + t.numel());
  out.logprobs.assign(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
}
}  // namespace

int Adapter::sampleStart(const std::vector<int32_t>& prompt, const SampleParams& p, SampleStepOut& out) {
  return guarded([&] {
    c10::InferenceMode im;
    auto& I = *impl_;
    const auto& c = I.base->cfg;
    const int64_t T = static_cast<int64_t>(prompt.size()), B = p.numSamples;
    check(T > 0, "sample: empty prompt");
    check(B > 0 && p.maxTokens >= 0, "sample: numSamples must be positive and maxTokens non-negative");
    for (auto id : prompt)
      check(id >= 0 && id < c.vocab, "sample: prompt token id " + std::to_string(id) + " out of vocabulary");
    Session s;
    s.p = p;
    s.B = B;
    s.gen = at::make_generator<at::CPUGeneratorImpl>(p.seed);
    const int64_t Tmax = T + std::max<int64_t>(p.maxTokens, 1);
    s.cache = allocCache(*I.base, B, Tmax);
    s.capacity = Tmax;
    KVCache one = s.cache;  // row 0 of every tensor: the prompt is prefilled once
    forEachCacheTensor(one, [](at::Tensor& t) { t = t.narrow(0, 0, 1); });
    auto tok = at::tensor(std::vector<int64_t>(prompt.begin(), prompt.end()), at::kLong).view({1, T}).to(I.base->device);
    auto h = I.run(tok, 0, &one).view({T, c.hidden});
    if (B > 1) {  // share the prompt's state with every sample
      for (int64_t l = 0; l < c.layers; ++l) {
        if (s.cache.k[l].defined()) {
          s.cache.k[l].narrow(2, 0, T).copy_(one.k[l].narrow(2, 0, T).expand({B, c.kvHeads, T, c.headDim}));
          s.cache.v[l].narrow(2, 0, T).copy_(one.v[l].narrow(2, 0, T).expand({B, c.kvHeads, T, c.headDim}));
        }
        if (s.cache.conv[l].defined()) {
          s.cache.conv[l].copy_(one.conv[l].expand_as(s.cache.conv[l]));
          s.cache.state[l].copy_(one.state[l].expand_as(s.cache.state[l]));
        }
      }
    }
    at::Tensor lastLogits;
    if (p.promptLogprobs || p.topkPrompt > 0) {
      auto lg = I.logits(h).to(at::kFloat);
      lastLogits = lg.narrow(0, T - 1, 1);
      auto lsm = at::log_softmax(lg, -1);
      if (p.promptLogprobs) {
        out.promptLogprobs.assign(T, std::numeric_limits<float>::quiet_NaN());
        if (T > 1) {
          auto tg = tok.view({T}).narrow(0, 1, T - 1).unsqueeze(1);
          auto v = lsm.narrow(0, 0, T - 1).gather(1, tg).to(at::kCPU).contiguous();
          std::memcpy(out.promptLogprobs.data() + 1, v.data_ptr<float>(), (T - 1) * sizeof(float));
        }
      }
      if (p.topkPrompt > 0 && T > 1) {
        const int64_t k = std::min<int64_t>(p.topkPrompt, c.vocab);
        auto tk = lsm.narrow(0, 0, T - 1).topk(k, -1);
        auto vals = std::get<0>(tk).to(at::kCPU).contiguous();
        auto ids = std::get<1>(tk).to(at::kCPU, at::kInt).contiguous();
        out.topkIds.assign(T * k, 0);
        out.topkLogprobs.assign(T * k, -99999.0f);
        std::memcpy(out.topkIds.data() + k, ids.data_ptr<int32_t>(), (T - 1) * k * sizeof(int32_t));
        std::memcpy(out.topkLogprobs.data() + k, vals.data_ptr<float>(), (T - 1) * k * sizeof(float));
      }
    } else {
      lastLogits = I.logits(h.narrow(0, T - 1, 1)).to(at::kFloat);
    }
    auto st = sampleRows(lastLogits.expand({B, c.vocab}), p, s.gen);
    writeStep(st, out);
    s.last = st.first;
    s.len = T;
    s.generated = 1;
    int id = I.nextSession++;
    I.sessions.emplace(id, std::move(s));
    return id;
  });
}

// Keeps only the given rows of the session's batch (cache and last tokens).
static void selectRows(Session& s, const std::vector<int64_t>& rows) {
  if (static_cast<int64_t>(rows.size()) == s.B) return;
  auto idx = at::tensor(rows, at::kLong).to(s.last.device());
  forEachCacheTensor(s.cache, [&](at::Tensor& t) { t = t.index_select(0, idx); });
  s.last = s.last.index_select(0, idx);
  s.B = static_cast<int64_t>(rows.size());
}

// Decodes up to maxSteps tokens without returning to JavaScript between steps (one N-API round trip per token
// cost more than the sampling maths on small models). A row leaves the batch after a stop id or at maxTokens.
SampleChunkOut Adapter::sampleSteps(int id, const std::vector<int32_t>& keep, int64_t maxSteps,
                                    const std::vector<int32_t>& stopIds) {
  return guarded([&] {
    c10::InferenceMode im;
    auto& I = *impl_;
    auto it = I.sessions.find(id);
    check(it != I.sessions.end(), "sample: unknown session");
    auto& s = it->second;
    const auto& c = I.base->cfg;
    check(!keep.empty(), "sample: no rows left to continue");
    check(maxSteps > 0, "sample: maxSteps must be positive");
    for (auto r : keep) check(r >= 0 && r < s.B, "sample: row " + std::to_string(r) + " is not in the batch");
    selectRows(s, std::vector<int64_t>(keep.begin(), keep.end()));
    const std::unordered_set<int32_t> stops(stopIds.begin(), stopIds.end());
    const int64_t R = s.B;
    SampleChunkOut out;
    out.tokens.assign(R * maxSteps, 0);
    out.logprobs.assign(R * maxSteps, 0);
    out.counts.assign(R, 0);
    out.alive.assign(R, 1);
    std::vector<int64_t> live(R);  // output row of each batch row
    for (int64_t r = 0; r < R; ++r) live[r] = r;
    I.decoding = true;
    struct Reset {
      bool& f;
      ~Reset() { f = false; }
    } reset{I.decoding};
    for (int64_t step = 0; step < maxSteps && s.B > 0 && s.generated < s.p.maxTokens; ++step) {
      check(s.len < s.capacity, "sample: maxTokens exceeded");
      auto h = I.run(s.last.view({s.B, 1}), s.len, &s.cache).view({s.B, c.hidden});
      auto st = sampleRows(I.logits(h).to(at::kFloat), s.p, s.gen);
      s.last = st.first;
      s.len += 1;
      s.generated += 1;
      auto t = st.first.to(at::kCPU, at::kInt).contiguous();
      auto l = st.second.to(at::kCPU).contiguous();
      std::vector<int64_t> cont, nextLive;
      for (int64_t b = 0; b < s.B; ++b) {
        const int64_t r = live[b];
        const int32_t tok = t.data_ptr<int32_t>()[b];
        out.tokens[r * maxSteps + out.counts[r]] = tok;
        out.logprobs[r * maxSteps + out.counts[r]] = l.data_ptr<float>()[b];
        out.counts[r] += 1;
        if (stops.count(tok) || s.generated >= s.p.maxTokens) {
          out.alive[r] = 0;
        } else {
          cont.push_back(b);
          nextLive.push_back(r);
        }
      }
      if (cont.empty()) {
        s.B = 0;
        break;
      }
      selectRows(s, cont);
      live = std::move(nextLive);
    }
    return out;
  });
}

void Adapter::sampleEnd(int id) { impl_->sessions.erase(id); }

}  // namespace crucible
