// Devices: which ones this build can use, and how much memory a CUDA device has left. The CUDA runtime is reached
// through the copy libtorch_cuda already loaded (dlsym), so the addon needs no CUDA toolkit to build; with the CUDA
// headers (CRUCIBLE_CUDA_HEADERS, found by scripts/libtorch.cjs) it also reads libtorch's caching-allocator counters.
#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "compat.h"
#include "engine.h"
#ifdef CRUCIBLE_CUDA_HEADERS
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace crucible {
namespace {

using GetDevice = int (*)(int*);
using GetDeviceCount = int (*)(int*);
using SetDevice = int (*)(int);
using MemGetInfo = int (*)(size_t*, size_t*);

struct CudaRt {
  GetDevice getDevice = nullptr;
  GetDeviceCount getDeviceCount = nullptr;
  SetDevice setDevice = nullptr;
  MemGetInfo memGetInfo = nullptr;
};

// Path of the first loaded shared object whose name contains `needle` ("" if none).
std::string loaded(const char* needle) {
  struct Q {
    const char* needle;
    std::string path;
  } q{needle, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* p) {
        auto* q = static_cast<Q*>(p);
        if (!info->dlpi_name || !std::strstr(info->dlpi_name, q->needle)) return 0;
        q->path = info->dlpi_name;
        return 1;
      },
      &q);
  return q.path;
}

const CudaRt& cudart() {
  static CudaRt rt = [] {
    CudaRt r;
    const std::string path = loaded("libcudart");
    void* h = path.empty() ? nullptr : dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!h) h = dlopen("libcudart.so", RTLD_LAZY | RTLD_NOLOAD);
    if (!h) return r;
    r.getDevice = reinterpret_cast<GetDevice>(dlsym(h, "cudaGetDevice"));
    r.getDeviceCount = reinterpret_cast<GetDeviceCount>(dlsym(h, "cudaGetDeviceCount"));
    r.setDevice = reinterpret_cast<SetDevice>(dlsym(h, "cudaSetDevice"));
    r.memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(h, "cudaMemGetInfo"));
    return r;
  }();
  return rt;
}

int cudaCount() {
  const auto& rt = cudart();
  if (rt.getDeviceCount) {
    int n = 0;
    return rt.getDeviceCount(&n) == 0 ? n : 0;  // cudaSuccess; an error (no driver) means no usable GPU
  }
  if (loaded("libtorch_cuda").empty()) return 0;
  try {
    return static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
  } catch (...) {
    return 0;
  }
}

}  // namespace

DeviceInfo deviceInfo() {
  DeviceInfo d;
  d.torchVersion = TORCH_VERSION;
  d.cudaBuild = !loaded("libtorch_cuda").empty();
  d.cudaDevices = cudaCount();
  return d;
}

void checkDevice(const std::string& device) {
  if (device == "cpu") return;
  at::Device dev(at::kCPU);
  try {
    dev = at::Device(device);
  } catch (const c10::Error&) {
    throw std::runtime_error("device \"" + device + "\" is not cpu, cuda or cuda:N");
  }
  if (!dev.is_cuda()) throw std::runtime_error("device \"" + device + "\" is not supported (use cpu, cuda or cuda:N)");
  const int n = cudaCount();
  if (n == 0)
    throw std::runtime_error("device " + device + ": " +
                             (!loaded("libtorch_cuda").empty() ? std::string("no CUDA GPU is visible")
                                            : std::string("this build of the engine has no CUDA (libtorch ") +
                                                  TORCH_VERSION +
                                                  " without libtorch_cuda); rebuild it against a CUDA libtorch: "
                                                  "LIBTORCH=<dir> or a CUDA PyTorch, then build:native --force"));
  if (dev.has_index() && dev.index() >= n)
    throw std::runtime_error("device " + device + ": only " + std::to_string(n) + " CUDA device(s) visible");
}

DeviceMemory deviceMemory(const std::string& device) {
  DeviceMemory m;
  if (device == "cpu") return m;
  at::Device dev(device);
  const int idx = dev.has_index() ? dev.index() : 0;
  const auto& rt = cudart();
  if (rt.getDevice && rt.setDevice && rt.memGetInfo) {
    int prev = 0;
    size_t freeB = 0, totalB = 0;
    rt.getDevice(&prev);
    rt.setDevice(idx);
    rt.memGetInfo(&freeB, &totalB);
    rt.setDevice(prev);
    m.free = freeB;
    m.total = totalB;
  }
#ifdef CRUCIBLE_CUDA_HEADERS
  auto st = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(idx));
  m.reserved = static_cast<uint64_t>(st.reserved_bytes[0].current);
  m.allocated = static_cast<uint64_t>(st.allocated_bytes[0].current);
  m.peakReserved = static_cast<uint64_t>(st.reserved_bytes[0].peak);
  m.peakAllocated = static_cast<uint64_t>(st.allocated_bytes[0].peak);
#endif
  m.available = m.free + (m.reserved - m.allocated);
  return m;
}

}  // namespace crucible
