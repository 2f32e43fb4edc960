// The libtorch versions the engine builds against (Debian's 1.13, any 2.x) differ in a few APIs; each difference is
// one macro here, so the engine's code reads the same for all of them.
#pragma once
#include <torch/version.h>

#define CRUCIBLE_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// c10::Allocator: allocate() lost its const and copy_data() became pure virtual in 2.3.
#if CRUCIBLE_TORCH_AT_LEAST(2, 3)
#define CRUCIBLE_ALLOCATE_CONST
#define CRUCIBLE_ALLOCATOR_COPY_DATA                                                  \
  void copy_data(void* dest, const void* src, std::size_t count) const override { \
    default_copy_data(dest, src, count);                                            \
  }
#else
#define CRUCIBLE_ALLOCATE_CONST const
#define CRUCIBLE_ALLOCATOR_COPY_DATA
#endif

// Fused scaled-dot-product attention (flash / memory-efficient kernels on CUDA) with grouped-query attention
// (`enable_gqa`, 2.5+). Older libtorch: the engine's own matmul/softmax attention.
#define CRUCIBLE_HAS_SDPA_GQA CRUCIBLE_TORCH_AT_LEAST(2, 5)
