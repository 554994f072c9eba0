// The typed door's non-template code, compiled once in the implementation unit (included from
// inlay/impl/implementation.hpp with the core).
#ifndef INLAY_NN_IMPLEMENTATION_HPP
#define INLAY_NN_IMPLEMENTATION_HPP

#include "inlay/nn/impl/layers.hpp"
#include "inlay/nn/impl/losses.hpp"
#include "inlay/nn/impl/optimizers.hpp"
#include "inlay/nn/impl/fit.hpp"
#include "inlay/nn/impl/serialize.hpp"
#include "inlay/nn/impl/search.hpp"
#include "inlay/nn/impl/export.hpp"
#include "inlay/nn/impl/recurrent.hpp"
#include "inlay/nn/impl/attention.hpp"
#include "inlay/nn/impl/spatial.hpp"
#include "inlay/nn/impl/fake_quant.hpp"
#include "inlay/nn/impl/quantization.hpp"
#include "inlay/nn/impl/sequence.hpp"
#include "inlay/nn/impl/prune.hpp"
#include "inlay/nn/impl/pruned_export.hpp"
#include "inlay/nn/impl/weight_sharing.hpp"

#endif  // INLAY_NN_IMPLEMENTATION_HPP
