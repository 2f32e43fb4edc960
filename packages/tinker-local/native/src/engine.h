// Plain-C++ interface of the libtorch engine. No torch headers here, so the N-API glue
// (addon.cc) compiles in seconds and only engine.cc pays for the ATen headers.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace crucible {

struct ModelConfig {
  int64_t hidden = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0, inter = 0, vocab = 0, maxPos = 0;
  double eps = 1e-6;
  bool qkNorm = false;  // Qwen3: RMSNorm over head_dim on q and k before RoPE
  bool tied = false;    // lm_head = embed_tokens
  bool qkvBias = false, oBias = false;  // biases on q/k/v_proj (Qwen2, attention_bias) and on o_proj
  // RoPE: rotaryDim/2 inverse frequencies, scaling already applied; the first rotaryDim dims of each head rotate
  // (partial_rotary_factor), the rest pass through.
  std::vector<float> invFreq;
  double ropeTheta = 10000, ropeScale = 1;  // ropeScale multiplies cos/sin (YaRN's attention factor)
  double ropeDynamic = 0;  // dynamic NTK factor: frequencies recomputed for sequences longer than maxPos; 0 = off
  std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N": where weights, activations and LoRA state live
  // Sparse MoE (Qwen3-MoE): layers with sparseLayers[l] != 0 route each token to topK of `experts` SwiGLU experts of
  // width moeInter (normTopk: renormalise the k routing weights); the other layers keep the dense MLP of width inter.
  int64_t experts = 0, topK = 0, moeInter = 0;
  bool normTopk = false;
  std::vector<uint8_t> sparseLayers;
  // Qwen3.5 hybrid stack (qwen35.cc); empty layerTypes for the other families. 1 = Gated DeltaNet layer.
  std::vector<int32_t> layerTypes;
  int64_t linKHeads = 0, linVHeads = 0, linKDim = 0, linVDim = 0, convKernel = 0;
};

// A weight as it sits in a safetensors file: read by the engine straight from `file` at byte `offset`, so the
// checkpoint never has to be held in JavaScript memory.
struct RawTensor {
  std::string name, dtype;  // F32 | F16 | BF16
  std::vector<int64_t> shape;
  std::string file;
  uint64_t offset = 0, nbytes = 0;
};

struct HostTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;      // owned (engine -> JS: handed to JavaScript without another copy)
  const float* view = nullptr;  // borrowed (JS -> engine: the caller's buffer, valid during the call)
  size_t viewLen = 0;
  const float* ptr() const { return view ? view : data.data(); }
  size_t size() const { return view ? viewLen : data.size(); }
};

struct BaseModel;
std::shared_ptr<BaseModel> loadBaseModel(const ModelConfig& cfg, const std::vector<RawTensor>& weights);

struct LoraSpec {
  int64_t rank = 0;
  double scaling = 1.0;
  // HF module paths, e.g. "model.layers.0.self_attn.q_proj", "lm_head".
  std::vector<std::string> modules;
};

struct ForwardInput {
  std::vector<int32_t> tokens;   // concatenated inputs
  std::vector<int64_t> lens;     // per datum N
  std::vector<int32_t> targets;  // concatenated N*K targets
  std::vector<int64_t> ks;       // per datum K
  bool keepGraph = false;        // true: retain autograd graph for backward()
};

struct AdamParams {
  double lr = 1e-4, beta1 = 0.9, beta2 = 0.95, eps = 1e-12, weightDecay = 0, gradClipNorm = 0;
};

struct SampleParams {
  int64_t numSamples = 1, maxTokens = 1, topK = -1, topkPrompt = 0;
  double temperature = 1, topP = 1;
  uint64_t seed = 0;
  bool promptLogprobs = false;
};

struct SampleStepOut {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::vector<float> promptLogprobs;  // prompt length, NaN at 0 (prefill only, when asked)
  std::vector<int32_t> topkIds;       // prompt length × topkPrompt
  std::vector<float> topkLogprobs;
};

// sampleSteps' output for R rows: row r's tokens/logprobs are [r * maxSteps, r * maxSteps + counts[r]).
struct SampleChunkOut {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::vector<int32_t> counts;
  std::vector<int32_t> alive;  // 1: still in the batch (no stop id, below maxTokens)
};

// One session of a merged decode (sampleStepsMulti): the rows of it that continue and its stop token ids.
struct SampleGroup {
  int id;
  std::vector<int32_t> keep;
  std::vector<int32_t> stopIds;
};

class Adapter {
 public:
  Adapter(std::shared_ptr<BaseModel> base, const LoraSpec& spec);
  ~Adapter();
  // Per-datum N*K target logprobs, concatenated.
  std::vector<float> forward(const ForwardInput& in);
  // Backprop dL/dlp (same layout as forward's output) from the last keepGraph forward; grads accumulate.
  void backward(const std::vector<float>& gradLogprobs);
  // AdamW (torch.optim.AdamW maths) with global-norm clipping; zeroes grads. Returns the pre-clip grad norm.
  double adamStep(const AdamParams& p);
  // kind: params | grads | exp_avg | exp_avg_sq. Names: "<module>.lora_A.weight" / ".lora_B.weight".
  std::vector<HostTensor> getTensors(const std::string& kind) const;
  void setTensors(const std::string& kind, const std::vector<HostTensor>& ts);
  int64_t optimizerStep() const;
  void setOptimizerStep(int64_t s);
  void zeroOptimizer();
  int64_t numTrainable() const;

  int sampleStart(const std::vector<int32_t>& prompt, const SampleParams& p, SampleStepOut& out);
  // keep: rows (of the current batch) that continue; decodes up to maxSteps tokens for them, dropping a row after
  // a token in stopIds or at maxTokens. The batch afterwards is the rows still alive, in order.
  SampleChunkOut sampleSteps(int id, const std::vector<int32_t>& keep, int64_t maxSteps,
                             const std::vector<int32_t>& stopIds);
  // sampleSteps for several sessions (requests) at once, decoded as one batch where the model allows; each
  // session's output is what sampleSteps would give it alone. Outputs in the order of `groups`.
  std::vector<SampleChunkOut> sampleStepsMulti(const std::vector<SampleGroup>& groups, int64_t maxSteps);
  void sampleEnd(int id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// device.cc: what the libtorch this addon was built against can run on.
struct DeviceInfo {
  std::string torchVersion;
  bool cudaBuild = false;  // libtorch_cuda is linked and registered
  int cudaDevices = 0;     // visible GPUs (0 without a driver or with CUDA_VISIBLE_DEVICES="")
};
DeviceInfo deviceInfo();
// Bytes on a CUDA device: free (driver), total, and held by libtorch's caching allocator (reserved ⊇ allocated).
// `available` = free + reserved − allocated: what one more allocation can get. Zeros on CPU.
struct DeviceMemory {
  uint64_t free = 0, total = 0, reserved = 0, allocated = 0, available = 0;
  uint64_t peakReserved = 0, peakAllocated = 0;  // since the process started (caching-allocator counters)
};
DeviceMemory deviceMemory(const std::string& device);
// Validates "cpu" | "cuda" | "cuda:N" against this build and the visible GPUs (throws with the fix otherwise).
void checkDevice(const std::string& device);

void setNumThreads(int n);
int getNumThreads();

// alloc.cc: caching allocator for libtorch's large CPU buffers (see there for why). Bytes are of size classes.
struct AllocStats {
  uint64_t liveBytes = 0, cachedBytes = 0, mappedBytes = 0, peakLiveBytes = 0, peakMappedBytes = 0;
  uint64_t hits = 0, misses = 0, evictions = 0;  // evictions: cached blocks unmapped to fit the limit
  uint64_t mallocHeapBytes = 0, mallocInUseBytes = 0;  // glibc (all arenas): held from the OS / in use
};
void installCachingAllocator();
AllocStats allocStats();

}  // namespace crucible
