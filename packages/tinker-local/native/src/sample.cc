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

// One decode step of several sessions as one batch: the linear layers, norms and logits run over the rows of all
// of them (on the CPU by the row-wise small-batch kernel, so a row's numbers do not depend on its neighbours);
// RoPE, the cache write and attention run per session on its own cache, exactly as when it decodes alone.
at::Tensor Adapter::Impl::runDecode(const std::vector<Session*>& ss) const {
  const auto& c = base->cfg;
  const int64_t hd = c.headDim;
  std::vector<at::Tensor> lasts, cos, sin;
  std::vector<int64_t> rows;
  for (auto* s : ss) {
    lasts.push_back(s->last);
    rows.push_back(s->B);
    auto [c0, s0] = ropeTables(c, base->invFreq, s->len, 1);
    cos.push_back(c0.to(base->device, base->dtype));
    sin.push_back(s0.to(base->device, base->dtype));
  }
  auto tokens = at::cat(lasts, 0);
  const int64_t B = tokens.size(0);
  auto h = base->embed.index_select(0, tokens).view({B, 1, c.hidden});
  for (int64_t l = 0; l < c.layers; ++l) {
    const auto& L = base->layers[l];
    const auto& lo = layerLora[l];
    auto x = rmsNorm(h, L.inNorm, c.eps);
    auto q = proj(x, L, lo, Q).view({B, 1, c.heads, hd});
    auto k = proj(x, L, lo, K).view({B, 1, c.kvHeads, hd});
    auto v = proj(x, L, lo, V).view({B, 1, c.kvHeads, hd}).transpose(1, 2);
    if (c.qkNorm) {
      q = rmsNorm(q, L.qNorm, c.eps);
      k = rmsNorm(k, L.kNorm, c.eps);
    }
    q = q.transpose(1, 2);
    k = k.transpose(1, 2);
    std::vector<at::Tensor> parts;
    int64_t o = 0;
    for (size_t i = 0; i < ss.size(); ++i) {
      auto& cache = ss[i]->cache;
      const int64_t n = rows[i], pos = ss[i]->len;
      auto qi = applyRope(q.narrow(0, o, n), cos[i], sin[i]);
      auto ki = applyRope(k.narrow(0, o, n), cos[i], sin[i]);
      cache.k[l].narrow(2, pos, 1).copy_(ki);
      cache.v[l].narrow(2, pos, 1).copy_(v.narrow(0, o, n));
      parts.push_back(attend(qi, cache.k[l].narrow(2, 0, pos + 1), cache.v[l].narrow(2, 0, pos + 1), {}, pos));
      o += n;
    }
    auto attn = parts.size() == 1 ? parts[0] : at::cat(parts, 0);
    h = h + proj(attn, L, lo, O);
    x = rmsNorm(h, L.postNorm, c.eps);
    auto g = at::silu(lin(x, L.w[GATE], lo[GATE])) * lin(x, L.w[UP], lo[UP]);
    h = h + lin(g, L.w[DOWN], lo[DOWN]);
  }
  return rmsNorm(h, base->norm, c.eps).view({B, c.hidden});
}

SampleChunkOut Adapter::sampleSteps(int id, const std::vector<int32_t>& keep, int64_t maxSteps,
                                    const std::vector<int32_t>& stopIds) {
  return std::move(sampleStepsMulti({SampleGroup{id, keep, stopIds}}, maxSteps)[0]);
}

// Decodes up to maxSteps tokens without returning to JavaScript between steps (one N-API round trip per token
// cost more than the sampling maths on small models). A row leaves the batch after a stop id or at maxTokens.
// Sessions decode as one batch on dense models (runDecode), those with at most kSmallLinearRows rows (with more a
// session alone would use sgemm, whose rows are not bit-identical); the others, and on MoE and Qwen3.5 models every
// session, step on their own. Each session samples from its own generator with its own
// parameters, so its tokens are those it would get alone.
std::vector<SampleChunkOut> Adapter::sampleStepsMulti(const std::vector<SampleGroup>& groups, int64_t maxSteps) {
  return guarded([&] {
    c10::InferenceMode im;
    auto& I = *impl_;
    const auto& c = I.base->cfg;
    check(maxSteps > 0, "sample: maxSteps must be positive");
    check(!groups.empty(), "sample: no sessions to continue");
    struct Group {
      Session* s;
      std::unordered_set<int32_t> stops;
      std::vector<int64_t> live;  // output row of each batch row
      SampleChunkOut out;
    };
    std::vector<Group> gs;
    std::unordered_set<int> seen;
    for (const auto& g : groups) {  // every check before any session changes
      check(seen.insert(g.id).second, "sample: session " + std::to_string(g.id) + " is listed twice");
      auto it = I.sessions.find(g.id);
      check(it != I.sessions.end(), "sample: unknown session");
      check(!g.keep.empty(), "sample: no rows left to continue");
      for (auto r : g.keep)
        check(r >= 0 && r < it->second.B, "sample: row " + std::to_string(r) + " is not in the batch");
      gs.push_back({&it->second, std::unordered_set<int32_t>(g.stopIds.begin(), g.stopIds.end()), {}, {}});
    }
    for (size_t i = 0; i < gs.size(); ++i) {
      auto& g = gs[i];
      selectRows(*g.s, std::vector<int64_t>(groups[i].keep.begin(), groups[i].keep.end()));
      const int64_t R = g.s->B;
      g.out.tokens.assign(R * maxSteps, 0);
      g.out.logprobs.assign(R * maxSteps, 0);
      g.out.counts.assign(R, 0);
      g.out.alive.assign(R, 1);
      g.live.resize(R);
      for (int64_t r = 0; r < R; ++r) g.live[r] = r;
    }
    bool dense = !I.base->q35;
    for (const auto& L : I.base->layers) dense = dense && !L.sparse;
    I.decoding = true;
    struct Reset {
      Impl& i;
      ~Reset() { i.decoding = i.anyRows = false; }
    } reset{I};
    for (int64_t step = 0; step < maxSteps; ++step) {
      std::vector<Group*> act;
      std::vector<Session*> merged;  // dense sessions with few enough rows for the row-wise kernel
      for (auto& g : gs) {
        if (g.s->B == 0 || g.s->generated >= g.s->p.maxTokens) continue;
        check(g.s->len < g.s->capacity, "sample: maxTokens exceeded");
        act.push_back(&g);
        if (dense && g.s->B <= kSmallLinearRows) merged.push_back(g.s);
      }
      if (act.empty()) break;
      if (merged.size() < 2) merged.clear();
      std::map<Session*, at::Tensor> logits;
      if (!merged.empty()) {
        I.anyRows = true;
        auto lg = I.logits(I.runDecode(merged)).to(at::kFloat);
        I.anyRows = false;
        int64_t o = 0;
        for (auto* s : merged) logits[s] = lg.narrow(0, o, s->B), o += s->B;
      }
      for (auto* g : act) {  // the others step on their own
        auto* s = g->s;
        if (logits.count(s)) continue;
        auto h = dense ? I.runDecode({s}) : I.run(s->last.view({s->B, 1}), s->len, &s->cache).view({s->B, c.hidden});
        logits[s] = I.logits(h).to(at::kFloat);
      }
      for (size_t i = 0; i < act.size(); ++i) {
        auto& g = *act[i];
        auto& s = *g.s;
        auto st = sampleRows(logits[&s], s.p, s.gen);
        s.last = st.first;
        s.len += 1;
        s.generated += 1;
        auto t = st.first.to(at::kCPU, at::kInt).contiguous();
        auto lp = st.second.to(at::kCPU).contiguous();
        std::vector<int64_t> cont, nextLive;
        for (int64_t b = 0; b < s.B; ++b) {
          const int64_t r = g.live[b];
          const int32_t tok = t.data_ptr<int32_t>()[b];
          g.out.tokens[r * maxSteps + g.out.counts[r]] = tok;
          g.out.logprobs[r * maxSteps + g.out.counts[r]] = lp.data_ptr<float>()[b];
          g.out.counts[r] += 1;
          if (g.stops.count(tok) || s.generated >= s.p.maxTokens) {
            g.out.alive[r] = 0;
          } else {
            cont.push_back(b);
            nextLive.push_back(r);
          }
        }
        if (cont.empty()) {
          s.B = 0;
          continue;
        }
        selectRows(s, cont);
        g.live = std::move(nextLive);
      }
    }
    std::vector<SampleChunkOut> outs;
    for (auto& g : gs) outs.push_back(std::move(g.out));
    return outs;
  });
}

void Adapter::sampleEnd(int id) { impl_->sessions.erase(id); }

}  // namespace crucible
