// Aligned heap buffers: every owning tensor starts on a 64-byte boundary (one cache line, one
// AVX-512 vector), so kernels never split their first vector load across lines.
#ifndef INLAY_CORE_ALIGNED_HPP
#define INLAY_CORE_ALIGNED_HPP

#include <cstddef>
#include <memory>
#include <new>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

constexpr std::size_t buffer_alignment = 64;

struct AlignedDelete {
  void operator()(void* p) const noexcept {
    ::operator delete(p, std::align_val_t(buffer_alignment));
  }
};

using AlignedBuffer = std::unique_ptr<void, AlignedDelete>;

// Uninitialized storage of `bytes` bytes (at least one byte, so the pointer is never null).
inline AlignedBuffer allocate_aligned(std::size_t bytes) {
  return AlignedBuffer(::operator new(bytes ? bytes : 1, std::align_val_t(buffer_alignment)));
}

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_ALIGNED_HPP
