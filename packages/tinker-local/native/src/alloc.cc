// Caching CPU allocator for libtorch's large buffers (>= 256 KiB).
//
// Why: glibc serves every block above 32 MiB (its maximum mmap threshold; a [256, 32000] float logits tensor is
// 32.8 MiB) with a fresh mmap and unmaps it on free, so each training step page-faults and zero-fills every
// logits-sized buffer again (measured: ~1/3 of a step's CPU time in the kernel, the same in a PyTorch process).
// Training steps allocate the same sizes every step, so keeping freed blocks in size classes and handing them back
// removes those faults. Blocks are mmapped 2 MiB-aligned with MADV_HUGEPAGE (THP is "madvise" on Debian), so
// first-touch faults are per 2 MiB, not per 4 KiB. Small blocks go to libtorch's default allocator unchanged.
//
// How much is kept: by default free blocks up to the live high-water mark of large blocks plus 1 GiB, i.e. a
// step's worth of the largest step seen, so a step of any size reuses its blocks. The old fixed 1 GiB cap kept one
// logits-sized block of a 4 × 395-token step of a 151,936-token vocabulary (~916 MiB each, ~5 live at the peak
// before the head was chunked) and unmapped the others every step: up to 60% of its CPU in the kernel, CPU per
// token 1.4-2.0× a 1-sequence step's (~1.0× with this limit; tools/bench/engine/vocab_scaling.mts). Capping all
// mapped blocks (live + free) at the live peak instead is too tight: a free block of one size class cannot serve
// another, so a step needs more mapped than live (measured: misses and evictions every step); hence the 1 GiB on
// top. Over the limit, the least recently freed blocks are unmapped first, so sizes no longer used make room.
// CRUCIBLE_ENGINE_CACHE_MB sets a fixed cap on free blocks instead (0: libtorch's allocator, no caching).
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

constexpr size_t kSlack = size_t(1) << 30;  // free blocks allowed beyond the live peak (the old fixed cap)

struct Block {
  void* p;
  size_t n;
};

struct Cache {
  std::mutex mu;
  std::unordered_map<void*, size_t> live;        // pointer -> class size (large blocks only)
  std::map<size_t, std::vector<uint64_t>> free;  // class size -> stamps of its cached blocks, oldest first
  std::map<uint64_t, Block> byAge;               // stamp (order of freeing) -> cached block
  uint64_t clock = 0;
  AllocStats st;
  bool fixed = false;  // CRUCIBLE_ENGINE_CACHE_MB given: free blocks capped at `cap`
  size_t cap = 0;

  // Most free bytes the cache may hold.
  size_t limit() const { return fixed ? cap : size_t(st.peakLiveBytes) + kSlack; }

  // Unlinks the least recently freed blocks until the cache fits `limit`; the caller unmaps them unlocked.
  void evict(size_t limit, std::vector<Block>& out) {
    while (st.cachedBytes > limit && !byAge.empty()) {
      auto it = byAge.begin();
      Block b = it->second;
      auto& stamps = free[b.n];
      stamps.erase(stamps.begin());  // the oldest stamp of its class is the oldest overall among them
      if (stamps.empty()) free.erase(b.n);
      byAge.erase(it);
      st.cachedBytes -= b.n;
      st.mappedBytes -= b.n;
      st.evictions += 1;
      out.push_back(b);
    }
  }
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

void unmapAll(const std::vector<Block>& bs) {
  for (auto& b : bs) munmap(b.p, b.n);
}

void release(void* p) {
  auto& c = cache();
  std::vector<Block> victims;
  {
    std::lock_guard<std::mutex> g(c.mu);
    auto it = c.live.find(p);
    if (it == c.live.end()) {
      c10::free_cpu(p);
      return;
    }
    const size_t n = it->second;
    c.live.erase(it);
    c.st.liveBytes -= n;
    const uint64_t stamp = ++c.clock;
    c.free[n].push_back(stamp);
    c.byAge[stamp] = {p, n};
    c.st.cachedBytes += n;
    c.evict(c.limit(), victims);
  }
  unmapAll(victims);
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
        if (it != c.free.end()) {
          auto age = c.byAge.find(it->second.back());  // the most recently freed: likeliest still in the CPU cache
          p = age->second.p;
          c.byAge.erase(age);
          it->second.pop_back();
          if (it->second.empty()) c.free.erase(it);
          c.st.cachedBytes -= n;
          c.st.hits += 1;
        } else {
          c.st.misses += 1;
          c.st.mappedBytes += n;
        }
      }
      if (!p) {
        try {
          p = mapBlock(n);
        } catch (...) {
          std::lock_guard<std::mutex> g(c.mu);
          c.st.mappedBytes -= n;
          throw;
        }
      }
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
  if (mb && *mb) {
    cache().fixed = true;
    cache().cap = static_cast<size_t>(std::strtoull(mb, nullptr, 10)) << 20;
  }
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
