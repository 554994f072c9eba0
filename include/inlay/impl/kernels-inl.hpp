// Every kernel body, compiled once per CPU target: no include guard, Highway re-includes this file
// (through inlay/inlay.hpp) with HWY_TARGET set to each target in turn. Each *-inl.hpp below has
// a toggle guard of its own, so it may include the ones it builds on.
#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/elementwise-inl.hpp"
#include "inlay/kernels/gemm-inl.hpp"
#include "inlay/kernels/softmax-inl.hpp"
#include "inlay/kernels/reduce-inl.hpp"
#include "inlay/kernels/conv-inl.hpp"
#include "inlay/kernels/pool-inl.hpp"
#include "inlay/kernels/norm-inl.hpp"
#include "inlay/kernels/transpose-inl.hpp"
