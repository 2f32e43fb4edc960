// N-API glue: marshals JS values into engine.h types and runs every heavy call off the JavaScript thread, so the
// event loop keeps serving while a step computes. The calls are handed from the libuv pool to ONE engine thread:
// libgomp keeps a separate OpenMP team (and per-thread thread-count setting) for every thread that opens a parallel
// region, and glibc a separate malloc arena per thread, so spreading steps over the four pool threads meant up to
// four idle-spinning OpenMP teams and four arenas each caching a step's worth of freed buffers.
#include <napi.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "engine.h"

namespace {
using crucible::HostTensor;

// The single thread that runs every heavy engine call, in submission order.
class EngineThread {
 public:
  static EngineThread& get() {
    static EngineThread* t = new EngineThread;  // leaked on purpose: never joined at exit
    return *t;
  }
  // Runs f on the engine thread; blocks the caller (a libuv pool thread) until it finished; rethrows its exception.
  void run(const std::function<void()>& f) {
    std::packaged_task<void()> task(f);
    auto done = task.get_future();
    {
      std::lock_guard<std::mutex> g(mu_);
      q_.push_back(std::move(task));
    }
    cv_.notify_one();
    done.get();
  }

 private:
  EngineThread() {
    std::thread([this] {
      for (;;) {
        std::packaged_task<void()> task;
        {
          std::unique_lock<std::mutex> g(mu_);
          cv_.wait(g, [this] { return !q_.empty(); });
          task = std::move(q_.front());
          q_.pop_front();
        }
        task();
      }
    }).detach();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<void()>> q_;
};

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, Napi::Object keepAlive, std::function<void()> exec,
         std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), exec_(std::move(exec)),
        done_(std::move(done)) {
    keep_ = Napi::Persistent(keepAlive);
  }
  void Execute() override {
    try {
      EngineThread::get().run(exec_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(done_(Env())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }
  Napi::Promise Queue() {
    auto p = deferred_.Promise();
    Napi::AsyncWorker::Queue();
    return p;
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  std::function<void()> exec_;
  std::function<Napi::Value(Napi::Env)> done_;
};

template <typename T>
std::vector<T> vec(const Napi::Value& v) {
  auto a = v.As<Napi::TypedArrayOf<T>>();
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}
std::vector<int64_t> i64s(const Napi::Value& v) {
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> r;
  for (uint32_t i = 0; i < a.Length(); ++i) r.push_back(a.Get(i).As<Napi::Number>().Int64Value());
  return r;
}
template <typename T>
Napi::Value typed(Napi::Env env, const std::vector<T>& v) {
  auto a = Napi::TypedArrayOf<T>::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}
double num(const Napi::Object& o, const char* k) { return o.Get(k).As<Napi::Number>().DoubleValue(); }

Napi::Value hostTensorsToJs(Napi::Env env, std::vector<HostTensor> ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    auto o = Napi::Object::New(env);
    o.Set("name", ts[i].name);
    auto shape = Napi::Array::New(env, ts[i].shape.size());
    for (size_t j = 0; j < ts[i].shape.size(); ++j) shape.Set(j, Napi::Number::New(env, ts[i].shape[j]));
    o.Set("shape", shape);
    // Hand the vector's buffer to JavaScript (freed by the ArrayBuffer's finalizer) instead of copying it.
    if (ts[i].data.empty()) {
      o.Set("data", Napi::Float32Array::New(env, 0));
      arr.Set(i, o);
      continue;
    }
    auto* v = new std::vector<float>(std::move(ts[i].data));
    auto ab = Napi::ArrayBuffer::New(env, v->data(), v->size() * sizeof(float),
                                     [](Napi::Env, void*, std::vector<float>* d) { delete d; }, v);
    o.Set("data", Napi::Float32Array::New(env, v->size(), ab, 0));
    arr.Set(i, o);
  }
  return arr;
}

class Model : public Napi::ObjectWrap<Model> {
 public:
  static Napi::FunctionReference ctor;
  static void Init(Napi::Env env, Napi::Object exports) {
    auto f = DefineClass(env, "NativeModel", {InstanceMethod("load", &Model::Load)});
    ctor = Napi::Persistent(f);
    exports.Set("NativeModel", f);
  }
  explicit Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {}
  std::shared_ptr<crucible::BaseModel> base;

 private:
  // load(config, weights: {name, dtype, shape, file, offset, nbytes}[]) -> Promise<void>
  Napi::Value Load(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto c = info[0].As<Napi::Object>();
    crucible::ModelConfig cfg;
    cfg.hidden = num(c, "hidden");
    cfg.layers = num(c, "layers");
    cfg.heads = num(c, "heads");
    cfg.kvHeads = num(c, "kvHeads");
    cfg.headDim = num(c, "headDim");
    cfg.inter = num(c, "intermediate");
    cfg.vocab = num(c, "vocab");
    cfg.maxPos = num(c, "maxPositions");
    cfg.eps = num(c, "rmsNormEps");
    cfg.qkNorm = c.Get("qkNorm").ToBoolean();
    cfg.tied = c.Get("tied").ToBoolean();
    cfg.invFreq = vec<float>(c.Get("invFreq"));
    cfg.qkvBias = c.Get("qkvBias").ToBoolean();
    cfg.oBias = c.Get("oBias").ToBoolean();
    cfg.ropeTheta = num(c, "ropeTheta");
    cfg.ropeScale = num(c, "ropeAttentionScaling");
    cfg.ropeDynamic = num(c, "ropeDynamicFactor");
    if (c.Has("device")) cfg.device = c.Get("device").As<Napi::String>().Utf8Value();
    if (c.Has("moe") && c.Get("moe").IsObject()) {
      auto m = c.Get("moe").As<Napi::Object>();
      cfg.experts = num(m, "experts");
      cfg.topK = num(m, "topK");
      cfg.moeInter = num(m, "intermediate");
      cfg.normTopk = m.Get("normTopk").ToBoolean();
      auto sl = m.Get("sparseLayers").As<Napi::Array>();
      for (uint32_t i = 0; i < sl.Length(); ++i) cfg.sparseLayers.push_back(sl.Get(i).ToBoolean() ? 1 : 0);
    }
    if (c.Has("hybrid")) {  // Qwen3.5: {layerTypes: Int32Array, kHeads, vHeads, kDim, vDim, convKernel}
      auto q = c.Get("hybrid").As<Napi::Object>();
      cfg.layerTypes = vec<int32_t>(q.Get("layerTypes"));
      cfg.linKHeads = num(q, "kHeads");
      cfg.linVHeads = num(q, "vHeads");
      cfg.linKDim = num(q, "kDim");
      cfg.linVDim = num(q, "vDim");
      cfg.convKernel = num(q, "convKernel");
    }
    auto ws = info[1].As<Napi::Array>();
    auto raws = std::make_shared<std::vector<crucible::RawTensor>>();
    for (uint32_t i = 0; i < ws.Length(); ++i) {
      auto w = ws.Get(i).As<Napi::Object>();
      crucible::RawTensor r;
      r.name = w.Get("name").As<Napi::String>().Utf8Value();
      r.dtype = w.Get("dtype").As<Napi::String>().Utf8Value();
      r.shape = i64s(w.Get("shape"));
      r.file = w.Get("file").As<Napi::String>().Utf8Value();
      r.offset = static_cast<uint64_t>(num(w, "offset"));
      r.nbytes = static_cast<uint64_t>(num(w, "nbytes"));
      raws->push_back(r);
    }
    auto out = std::make_shared<std::shared_ptr<crucible::BaseModel>>();
    auto* w = new Worker(
        env, info.This().As<Napi::Object>(), [cfg, raws, out] { *out = crucible::loadBaseModel(cfg, *raws); },
        [this, out](Napi::Env e) {
          base = *out;
          return e.Undefined();
        });
    return w->Queue();
  }
};
Napi::FunctionReference Model::ctor;

class Adapter : public Napi::ObjectWrap<Adapter> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    auto f = DefineClass(env, "NativeAdapter",
                         {InstanceMethod("forward", &Adapter::Forward), InstanceMethod("backward", &Adapter::Backward),
                          InstanceMethod("adamStep", &Adapter::AdamStep),
                          InstanceMethod("getTensors", &Adapter::GetTensors),
                          InstanceMethod("setTensors", &Adapter::SetTensors),
                          InstanceMethod("getOptimizerStep", &Adapter::GetStep),
                          InstanceMethod("setOptimizerStep", &Adapter::SetStep),
                          InstanceMethod("zeroOptimizer", &Adapter::ZeroOptimizer),
                          InstanceMethod("numTrainable", &Adapter::NumTrainable),
                          InstanceMethod("sampleStart", &Adapter::SampleStart),
                          InstanceMethod("sampleSteps", &Adapter::SampleSteps),
                          InstanceMethod("sampleStepsMulti", &Adapter::SampleStepsMulti),
                          InstanceMethod("sampleEnd", &Adapter::SampleEnd)});
    exports.Set("NativeAdapter", f);
  }
  // new NativeAdapter(model, {rank, scaling, modules: string[]})
  explicit Adapter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Adapter>(info) {
    auto* m = Model::Unwrap(info[0].As<Napi::Object>());
    if (!m->base) throw Napi::Error::New(info.Env(), "NativeAdapter: model not loaded");
    auto s = info[1].As<Napi::Object>();
    crucible::LoraSpec spec;
    spec.rank = num(s, "rank");
    spec.scaling = num(s, "scaling");
    auto mods = s.Get("modules").As<Napi::Array>();
    for (uint32_t i = 0; i < mods.Length(); ++i) spec.modules.push_back(mods.Get(i).As<Napi::String>().Utf8Value());
    try {
      a_ = std::make_shared<crucible::Adapter>(m->base, spec);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }

 private:
  std::shared_ptr<crucible::Adapter> a_;

  // forward(tokens: Int32Array, lens: number[], targets: Int32Array, ks: number[], keepGraph) -> Promise<Float32Array>
  Napi::Value Forward(const Napi::CallbackInfo& info) {
    crucible::ForwardInput in;
    in.tokens = vec<int32_t>(info[0]);
    in.lens = i64s(info[1]);
    in.targets = vec<int32_t>(info[2]);
    in.ks = i64s(info[3]);
    in.keepGraph = info[4].ToBoolean();
    auto a = a_;
    auto out = std::make_shared<std::vector<float>>();
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(), [a, in, out] { *out = a->forward(in); },
        [out](Napi::Env e) { return typed<float>(e, *out); });
    return w->Queue();
  }
  Napi::Value Backward(const Napi::CallbackInfo& info) {
    auto g = vec<float>(info[0]);
    auto a = a_;
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(), [a, g] { a->backward(g); },
        [](Napi::Env e) { return e.Undefined(); });
    return w->Queue();
  }
  // adamStep({lr, beta1, beta2, eps, weightDecay, gradClipNorm}) -> Promise<number> (pre-clip grad norm)
  Napi::Value AdamStep(const Napi::CallbackInfo& info) {
    auto o = info[0].As<Napi::Object>();
    crucible::AdamParams p;
    p.lr = num(o, "lr");
    p.beta1 = num(o, "beta1");
    p.beta2 = num(o, "beta2");
    p.eps = num(o, "eps");
    p.weightDecay = num(o, "weightDecay");
    p.gradClipNorm = num(o, "gradClipNorm");
    auto a = a_;
    auto norm = std::make_shared<double>(0);
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(), [a, p, norm] { *norm = a->adamStep(p); },
        [norm](Napi::Env e) { return Napi::Number::New(e, *norm); });
    return w->Queue();
  }
  Napi::Value GetTensors(const Napi::CallbackInfo& info) {
    try {
      return hostTensorsToJs(info.Env(), a_->getTensors(info[0].As<Napi::String>().Utf8Value()));
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }
  Napi::Value SetTensors(const Napi::CallbackInfo& info) {
    auto arr = info[1].As<Napi::Array>();
    std::vector<HostTensor> ts;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      auto o = arr.Get(i).As<Napi::Object>();
      HostTensor h;
      h.name = o.Get("name").As<Napi::String>().Utf8Value();
      h.shape = i64s(o.Get("shape"));
      auto d = o.Get("data").As<Napi::Float32Array>();  // borrowed: setTensors is synchronous
      h.view = d.Data();
      h.viewLen = d.ElementLength();
      ts.push_back(std::move(h));
    }
    try {
      a_->setTensors(info[0].As<Napi::String>().Utf8Value(), ts);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }
  Napi::Value GetStep(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(a_->optimizerStep()));
  }
  Napi::Value SetStep(const Napi::CallbackInfo& info) {
    a_->setOptimizerStep(info[0].As<Napi::Number>().Int64Value());
    return info.Env().Undefined();
  }
  Napi::Value ZeroOptimizer(const Napi::CallbackInfo& info) {
    a_->zeroOptimizer();
    return info.Env().Undefined();
  }
  Napi::Value NumTrainable(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(a_->numTrainable()));
  }
  // sampleStart(prompt: Int32Array, {numSamples, maxTokens, temperature, topK, topP, seed, promptLogprobs, topkPrompt})
  Napi::Value SampleStart(const Napi::CallbackInfo& info) {
    auto prompt = vec<int32_t>(info[0]);
    auto o = info[1].As<Napi::Object>();
    crucible::SampleParams p;
    p.numSamples = num(o, "numSamples");
    p.maxTokens = num(o, "maxTokens");
    p.temperature = num(o, "temperature");
    p.topK = num(o, "topK");
    p.topP = num(o, "topP");
    p.seed = static_cast<uint64_t>(num(o, "seed"));
    p.promptLogprobs = o.Get("promptLogprobs").ToBoolean();
    p.topkPrompt = num(o, "topkPrompt");
    auto a = a_;
    auto out = std::make_shared<crucible::SampleStepOut>();
    auto id = std::make_shared<int>(0);
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(), [a, prompt, p, out, id] { *id = a->sampleStart(prompt, p, *out); },
        [out, id](Napi::Env e) {
          auto r = Napi::Object::New(e);
          r.Set("id", Napi::Number::New(e, *id));
          r.Set("tokens", typed<int32_t>(e, out->tokens));
          r.Set("logprobs", typed<float>(e, out->logprobs));
          r.Set("promptLogprobs", typed<float>(e, out->promptLogprobs));
          r.Set("topkIds", typed<int32_t>(e, out->topkIds));
          r.Set("topkLogprobs", typed<float>(e, out->topkLogprobs));
          return r;
        });
    return w->Queue();
  }
  // sampleSteps(id, keep: Int32Array, maxSteps, stopIds: Int32Array) -> Promise<{tokens, logprobs, counts, alive}>
  Napi::Value SampleSteps(const Napi::CallbackInfo& info) {
    int id = info[0].As<Napi::Number>().Int32Value();
    auto keep = vec<int32_t>(info[1]);
    int64_t maxSteps = info[2].As<Napi::Number>().Int64Value();
    auto stops = vec<int32_t>(info[3]);
    auto a = a_;
    auto out = std::make_shared<crucible::SampleChunkOut>();
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(),
        [a, id, keep, maxSteps, stops, out] { *out = a->sampleSteps(id, keep, maxSteps, stops); },
        [out](Napi::Env e) {
          auto r = Napi::Object::New(e);
          r.Set("tokens", typed<int32_t>(e, out->tokens));
          r.Set("logprobs", typed<float>(e, out->logprobs));
          r.Set("counts", typed<int32_t>(e, out->counts));
          r.Set("alive", typed<int32_t>(e, out->alive));
          return r;
        });
    return w->Queue();
  }
  // sampleStepsMulti([{id, keep: Int32Array, stopIds: Int32Array}], maxSteps) -> Promise<[{tokens, logprobs,
  // counts, alive}]>: several sessions decoded as one batch (see Adapter::sampleStepsMulti).
  Napi::Value SampleStepsMulti(const Napi::CallbackInfo& info) {
    auto arr = info[0].As<Napi::Array>();
    std::vector<crucible::SampleGroup> groups;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      auto o = arr.Get(i).As<Napi::Object>();
      groups.push_back({static_cast<int>(num(o, "id")), vec<int32_t>(o.Get("keep")), vec<int32_t>(o.Get("stopIds"))});
    }
    int64_t maxSteps = info[1].As<Napi::Number>().Int64Value();
    auto a = a_;
    auto outs = std::make_shared<std::vector<crucible::SampleChunkOut>>();
    auto* w = new Worker(
        info.Env(), info.This().As<Napi::Object>(),
        [a, groups, maxSteps, outs] { *outs = a->sampleStepsMulti(groups, maxSteps); },
        [outs](Napi::Env e) {
          auto list = Napi::Array::New(e, outs->size());
          for (size_t i = 0; i < outs->size(); ++i) {
            const auto& out = (*outs)[i];
            auto r = Napi::Object::New(e);
            r.Set("tokens", typed<int32_t>(e, out.tokens));
            r.Set("logprobs", typed<float>(e, out.logprobs));
            r.Set("counts", typed<int32_t>(e, out.counts));
            r.Set("alive", typed<int32_t>(e, out.alive));
            list.Set(static_cast<uint32_t>(i), r);
          }
          return list;
        });
    return w->Queue();
  }
  Napi::Value SampleEnd(const Napi::CallbackInfo& info) {
    a_->sampleEnd(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }
};

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  crucible::setNumThreads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), crucible::getNumThreads());
}

Napi::Value AllocStats(const Napi::CallbackInfo& info) {
  auto s = crucible::allocStats();
  auto o = Napi::Object::New(info.Env());
  auto mb = [&](const char* k, uint64_t b) { o.Set(k, Napi::Number::New(info.Env(), static_cast<double>(b) / (1 << 20))); };
  mb("liveMB", s.liveBytes);
  mb("cachedMB", s.cachedBytes);
  mb("mappedMB", s.mappedBytes);
  mb("peakLiveMB", s.peakLiveBytes);
  mb("peakMappedMB", s.peakMappedBytes);
  mb("mallocHeapMB", s.mallocHeapBytes);
  mb("mallocInUseMB", s.mallocInUseBytes);
  o.Set("hits", Napi::Number::New(info.Env(), static_cast<double>(s.hits)));
  o.Set("misses", Napi::Number::New(info.Env(), static_cast<double>(s.misses)));
  o.Set("evictions", Napi::Number::New(info.Env(), static_cast<double>(s.evictions)));
  return o;
}

Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  auto d = crucible::deviceInfo();
  auto o = Napi::Object::New(info.Env());
  o.Set("torchVersion", d.torchVersion);
  o.Set("cudaBuild", d.cudaBuild);
  o.Set("cudaDevices", d.cudaDevices);
  return o;
}

// deviceMemory(device) -> {freeMB, totalMB, reservedMB, allocatedMB, availableMB, peak…MB} (zeros on cpu)
Napi::Value DeviceMemory(const Napi::CallbackInfo& info) {
  crucible::DeviceMemory m;
  try {
    m = crucible::deviceMemory(info[0].As<Napi::String>().Utf8Value());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  auto o = Napi::Object::New(info.Env());
  auto mb = [&](const char* k, uint64_t b) { o.Set(k, Napi::Number::New(info.Env(), static_cast<double>(b) / (1 << 20))); };
  mb("freeMB", m.free);
  mb("totalMB", m.total);
  mb("reservedMB", m.reserved);
  mb("allocatedMB", m.allocated);
  mb("availableMB", m.available);
  mb("peakReservedMB", m.peakReserved);
  mb("peakAllocatedMB", m.peakAllocated);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Model::Init(env, exports);
  Adapter::Init(env, exports);
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("allocStats", Napi::Function::New(env, AllocStats));
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo));
  exports.Set("deviceMemory", Napi::Function::New(env, DeviceMemory));
  return exports;
}
}  // namespace

NODE_API_MODULE(crucible_engine, Init)
