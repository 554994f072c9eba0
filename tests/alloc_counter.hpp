// The number of heap allocations the test program has made so far (tests/alloc_counter.cpp).
#pragma once

#include <cstdint>

namespace inlay_test {
std::uint64_t heap_allocations();
}  // namespace inlay_test
