// KV-cached sampling: prefill once, decode the samples as one batch (see README "Sampling").
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cstring>

#include "engine_impl.h"

namespace crucible {

namespace {
// Samples one token per row of logits [B,V]. Logprobs are of softmax(logits/τ) before top-k/top-p truncation.
std::pair<at::Tensor, at::Tensor> sampleRows(const at::Tensor& logits, const SampleParams& p, at::Generator& gen) {
  const float inf = std::numeric_limits<float>::infinity();
  if (p.temperature <= 0) {  // greedy; logprobs of the untempered distribution
    auto lsm = at::log_softmax(logits, -1);
    auto tok = lsm.argmax(-1);
    return {tok, lsm.gather(1, tok.unsqueeze(1)).squeeze(1)};
  }
  auto lsm = at::log_softmax(logits / p.temperature, -1);
  auto filt = lsm;
  const int64_t V = logits.size(1);
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
  auto tok = at::multinomial(filt.softmax(-1), 1, false, gen).squeeze(1);
  return {tok, lsm.gather(1, tok.unsqueeze(1)).squeeze(1)};
}

void writeStep(const std::pair<at::Tensor, at::Tensor>& s, SampleStepOut& out) {
  auto t = s.first.to(at::kInt).contiguous();
  auto l = s.second.contiguous();
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
    KVCache one;
    for (int64_t l = 0; l < c.layers; ++l) {
      s.cache.k.push_back(at::empty({B, c.kvHeads, Tmax, c.headDim}, at::kFloat));
      s.cache.v.push_back(at::empty({B, c.kvHeads, Tmax, c.headDim}, at::kFloat));
      one.k.push_back(s.cache.k.back().narrow(0, 0, 1));
      one.v.push_back(s.cache.v.back().narrow(0, 0, 1));
    }
    auto tok = at::tensor(std::vector<int64_t>(prompt.begin(), prompt.end()), at::kLong).view({1, T});
    auto h = I.run(tok, 0, &one).view({T, c.hidden});
    for (int64_t l = 0; l < c.layers && B > 1; ++l) {  // share the prompt's cache with every sample
      s.cache.k[l].narrow(2, 0, T).copy_(one.k[l].narrow(2, 0, T).expand({B, c.kvHeads, T, c.headDim}));
      s.cache.v[l].narrow(2, 0, T).copy_(one.v[l].narrow(2, 0, T).expand({B, c.kvHeads, T, c.headDim}));
    }
    at::Tensor lastLogits;
    if (p.promptLogprobs || p.topkPrompt > 0) {
      auto lg = I.logits(h);
      lastLogits = lg.narrow(0, T - 1, 1);
      auto lsm = at::log_softmax(lg, -1);
      if (p.promptLogprobs) {
        out.promptLogprobs.assign(T, std::numeric_limits<float>::quiet_NaN());
        if (T > 1) {
          auto tg = tok.view({T}).narrow(0, 1, T - 1).unsqueeze(1);
          auto v = lsm.narrow(0, 0, T - 1).gather(1, tg).contiguous();
          std::memcpy(out.promptLogprobs.data() + 1, v.data_ptr<float>(), (T - 1) * sizeof(float));
        }
      }
      if (p.topkPrompt > 0 && T > 1) {
        const int64_t k = std::min<int64_t>(p.topkPrompt, c.vocab);
        auto tk = lsm.narrow(0, 0, T - 1).topk(k, -1);
        auto vals = std::get<0>(tk).contiguous();
        auto ids = std::get<1>(tk).to(at::kInt).contiguous();
        out.topkIds.assign(T * k, 0);
        out.topkLogprobs.assign(T * k, -99999.0f);
        std::memcpy(out.topkIds.data() + k, ids.data_ptr<int32_t>(), (T - 1) * k * sizeof(int32_t));
        std::memcpy(out.topkLogprobs.data() + k, vals.data_ptr<float>(), (T - 1) * k * sizeof(float));
      }
    } else {
      lastLogits = I.logits(h.narrow(0, T - 1, 1));
    }
    auto st = sampleRows(lastLogits.expand({B, c.vocab}), p, s.gen);
    writeStep(st, out);
    s.last = st.first;
    s.len = T;
    int id = I.nextSession++;
    I.sessions.emplace(id, std::move(s));
    return id;
  });
}

SampleStepOut Adapter::sampleStep(int id, const std::vector<int32_t>& keep) {
  return guarded([&] {
    c10::InferenceMode im;
    auto& I = *impl_;
    auto it = I.sessions.find(id);
    check(it != I.sessions.end(), "sample: unknown session");
    auto& s = it->second;
    const auto& c = I.base->cfg;
    check(s.len < s.cache.k[0].size(2), "sample: maxTokens exceeded");
    check(!keep.empty(), "sample: no rows left to continue");
    if (static_cast<int64_t>(keep.size()) != s.B) {
      auto idx = at::tensor(std::vector<int64_t>(keep.begin(), keep.end()), at::kLong);
      for (int64_t l = 0; l < c.layers; ++l) {
        s.cache.k[l] = s.cache.k[l].index_select(0, idx);
        s.cache.v[l] = s.cache.v[l].index_select(0, idx);
      }
      s.last = s.last.index_select(0, idx);
      s.B = static_cast<int64_t>(keep.size());
    }
    auto h = I.run(s.last.view({s.B, 1}), s.len, &s.cache).view({s.B, c.hidden});
    auto st = sampleRows(I.logits(h), s.p, s.gen);
    s.last = st.first;
    s.len += 1;
    SampleStepOut out;
    writeStep(st, out);
    return out;
  });
}

void Adapter::sampleEnd(int id) { impl_->sessions.erase(id); }

}  // namespace crucible
