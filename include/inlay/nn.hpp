// The typed door: networks whose layers and shapes are C++ types (inlay::nn), with training.
#ifndef INLAY_NN_HPP
#define INLAY_NN_HPP

#include "inlay/nn/core.hpp"
#include "inlay/nn/activation.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/reshape.hpp"
#include "inlay/nn/dropout.hpp"
#include "inlay/nn/conv.hpp"
#include "inlay/nn/pool.hpp"
#include "inlay/nn/norm.hpp"
#include "inlay/nn/embedding.hpp"
#include "inlay/nn/recurrent.hpp"
#include "inlay/nn/attention.hpp"
#include "inlay/nn/residual.hpp"
#include "inlay/nn/time_distributed.hpp"
#include "inlay/nn/positions.hpp"
#include "inlay/nn/sequence_pool.hpp"
#include "inlay/nn/sequential.hpp"
#include "inlay/nn/transformer.hpp"
#include "inlay/nn/loss.hpp"
#include "inlay/nn/optimizer.hpp"
#include "inlay/nn/fit.hpp"
#include "inlay/nn/quantization.hpp"
#include "inlay/nn/search.hpp"
#include "inlay/nn/weight_matrices.hpp"
#include "inlay/nn/prune.hpp"
#include "inlay/nn/pruned_export.hpp"
#include "inlay/nn/weight_sharing.hpp"

#endif  // INLAY_NN_HPP
