// Caching CPU allocator for libtorch's large buffers (>= 256 KiB).
//
// Why: glibc serves every block above 32 MiB (its maximum mmap threshold; a [256, 32000] float logits tensor is
// 32.8 MiB) with a fresh mmap and unmaps it on free, so each training step page-faults and zero-fills every
// logits-sized buffer again (measured: ~1/3 of a step's CPU time in the kernel, the same in a PyTorch process).
// Training steps allocate the same sizes every step, so keeping freed blocks in size classes and handing them back
// removes those faults. Blocks are mmapped 2 MiB-aligned with MADV_HUGEPAGE (THP is "madvise" on Debian), so
// first-touch faults are per 2 MiB, not per 4 KiB. Small blocks go to libtorch's default allocator unchanged.
// The cache is bounded (CRUCIBLE_ENGINE_CACHE_MB, default 1024): a freed block that does not fit is unmapped.
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "compat.h"
#include "engine.h"

namespace crucible {
namespace {

size_t kMin = size_t(256) << 10;  // smaller blocks: default allocator (CRUCIBLE_ENGINE_CACHE_MIN_KB)
constexpr size_t kHuge = size_t(2) << 20;  // THP extent

// Size class: 8 steps per power of two (at most 12.5% slack), so varying sequence lengths still reuse blocks.
size_t sizeClass(size_t n) {
  size_t p = 1;
  while ((p << 1) <= n) p <<= 1;
  size_t step = p / 8;
  size_t c = (n + step - 1) / step * step;
  return (c + 4095) & ~size_t(4095);
}

struct Cache {
  std::mutex mu;
  std::unordered_map<void*, size_t> live;    // pointer -> class size (large blocks only)
  std::map<size_t, std::vector<void*>> free;  // class size -> cached blocks
  AllocStats st;
  size_t cap = 1024ull << 20;
};

Cache& cache() {
  static Cache* c = new Cache;  // leaked on purpose: tensors may be freed during static destruction
  return *c;
}

void* mapBlock(size_t n) {
  const bool huge = n >= kHuge;
  const size_t len = huge ? n + kHuge : n;
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (!huge) return p;
  auto a = reinterpret_cast<uintptr_t>(p);
  uintptr_t b = (a + kHuge - 1) & ~(kHuge - 1);
  if (b > a) munmap(p, b - a);
  size_t tail = (a + len) - (b + n);
  if (tail) munmap(reinterpret_cast<void*>(b + n), tail);
  madvise(reinterpret_cast<void*>(b), n, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(b);
}

void release(void* p) {
  auto& c = cache();
  size_t n = 0;
  {
    std::lock_guard<std::mutex> g(c.mu);
    auto it = c.live.find(p);
    if (it == c.live.end()) {
      c10::free_cpu(p);
      return;
    }
    n = it->second;
    c.live.erase(it);
    c.st.liveBytes -= n;
    if (c.st.cachedBytes + n <= c.cap) {
      c.free[n].push_back(p);
      c.st.cachedBytes += n;
      return;
    }
    c.st.mappedBytes -= n;
  }
  munmap(p, n);
}

struct CachingAllocator final : c10::Allocator {
  c10::DataPtr allocate(size_t nbytes) CRUCIBLE_ALLOCATE_CONST override {
    void* p = nullptr;
    if (nbytes < kMin) {
      p = c10::alloc_cpu(nbytes);
    } else {
      const size_t n = sizeClass(nbytes);
      auto& c = cache();
      {
        std::lock_guard<std::mutex> g(c.mu);
        auto it = c.free.find(n);
        if (it != c.free.end() && !it->second.empty()) {
          p = it->second.back();
          it->second.pop_back();
          c.st.cachedBytes -= n;
          c.st.hits += 1;
        } else {
          c.st.misses += 1;
          c.st.mappedBytes += n;
        }
      }
      if (!p) p = mapBlock(n);
      std::lock_guard<std::mutex> g(c.mu);
      c.live[p] = n;
      c.st.liveBytes += n;
      if (c.st.liveBytes > c.st.peakLiveBytes) c.st.peakLiveBytes = c.st.liveBytes;
      if (c.st.mappedBytes > c.st.peakMappedBytes) c.st.peakMappedBytes = c.st.mappedBytes;
    }
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
  CRUCIBLE_ALLOCATOR_COPY_DATA
};

}  // namespace

void installCachingAllocator() {
  static bool done = false;
  if (done) return;
  done = true;
  const char* mb = std::getenv("CRUCIBLE_ENGINE_CACHE_MB");
  const char* kb = std::getenv("CRUCIBLE_ENGINE_CACHE_MIN_KB");
  if (kb && *kb) kMin = static_cast<size_t>(std::strtoull(kb, nullptr, 10)) << 10;
  if (mb && *mb) cache().cap = static_cast<size_t>(std::strtoull(mb, nullptr, 10)) << 20;
  if (mb && std::string(mb) == "0") return;  // 0: libtorch's default allocator, no caching at all
  static CachingAllocator a;
  c10::SetCPUAllocator(&a, /*priority=*/1);
}

AllocStats allocStats() {
  auto& c = cache();
  AllocStats s;
  {
    std::lock_guard<std::mutex> g(c.mu);
    s = c.st;
  }
  auto mi = mallinfo2();
  s.mallocHeapBytes = mi.arena + mi.hblkhd;
  s.mallocInUseBytes = mi.uordblks + mi.hblkhd;
  return s;
}

}  // namespace crucible
