// Magnitude pruning of the weight matrices of a typed network (nn::weight_matrices: Dense,
// convolutions, LSTM/GRU W and R, attention projections, Embedding and LearnedPositions tables,
// and those nested in Residual, TimeDistributed and Sequential blocks such as
// TransformerEncoderBlock; never biases).
//
//   nn::Pruner pruner(nn::weight_matrices(net));        // per layer, single weights
//   pruner.prune(0.8);                                   // one shot: the 80 % smallest |w| -> 0
//   nn::PruneSchedule schedule{0.0, 0.8, 0, total_steps, 10};
//   pruner.attach(options, schedule);                    // gradual, during nn::fit
//   nn::fit(net, x, y, loss, adam, options);
//   pruner.apply();                                      // the final masks (see restore_best)
//   std::printf("%s", nn::to_string(pruner.report()).c_str());
//
// Unstructured pruning zeroes single weights; structured pruning (PruneUnit::outputs) zeroes whole
// output neurons (channels, recurrent gate rows, attention projection columns): all the weights
// that feed them, chosen by the L1 norm of those weights (Li et al., "Pruning Filters for
// Efficient ConvNets", ICLR 2017). The last weight matrix keeps all its outputs there (they are
// the network's outputs), and embedding tables (WeightMatrix::structured false) are left whole:
// a looked-up row is no neuron, and a removed column would narrow every later layer.
// nn::to_onnx_pruned (nn/pruned_export.hpp) then writes the network without the removed neurons
// of Dense layers (top-level, or in a nested Sequential such as a Transformer's feed-forward
// network) and the removed channels of convolutions; every other matrix is written whole, its
// removed rows as zeros, so the exported model still computes the typed network.
//
// Masks are kept through training: attach() makes fit() zero the masked weights again after every
// optimizer step (momentum would otherwise revive them). The weights restored by fit's
// restore_best_weights are those of an earlier epoch, possibly pruned less: call apply() after
// fit (or turn restore_best_weights off).
#ifndef INLAY_NN_PRUNE_HPP
#define INLAY_NN_PRUNE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/nn/fit.hpp"
#include "inlay/nn/weight_matrices.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

enum class PruneScope {
  per_layer,  // every matrix loses the same fraction
  global,     // one ranking over all matrices (structured: by mean |w| per output)
};
enum class PruneUnit {
  weights,  // unstructured
  outputs,  // structured: whole output neurons / channels
};

// Polynomial sparsity schedule of Zhu & Gupta, "To prune, or not to prune" (2017):
// s(t) = final + (initial - final) (1 - (t - begin) / (end - begin))^3 for begin <= t <= end,
// applied every `every` steps (t counts optimizer steps from 1, as FitOptions::on_step does).
struct PruneSchedule {
  double initial_sparsity = 0.0;
  double final_sparsity = 0.5;
  std::size_t begin_step = 0;
  std::size_t end_step = 1000;
  std::size_t every = 1;
  double sparsity_at(std::size_t step) const;
};

// One matrix after pruning.
struct LayerSparsity {
  std::string name;
  std::size_t weights = 0, zeros = 0;    // masked weights
  std::size_t outputs = 0, removed = 0;  // outputs whose weights are all masked
  double sparsity() const { return weights ? static_cast<double>(zeros) / weights : 0.0; }
};
// One line per matrix and a total line.
std::string to_string(const std::vector<LayerSparsity>& report);

class Pruner {
 public:
  explicit Pruner(std::vector<WeightMatrix> matrices, PruneScope scope = PruneScope::per_layer,
                  PruneUnit unit = PruneUnit::weights);

  // Masks the `sparsity` fraction (in [0, 1)) of the smallest weights (outputs), counted per
  // matrix or over all of them, and zeroes them. Exactly round(sparsity * count) are masked
  // (ties broken by position); weights (outputs) masked before rank first, so a growing schedule
  // keeps what it pruned before.
  void prune(double sparsity);
  // Zeroes the masked weights (and the gradients, so an optimizer's moments stay still there).
  void apply();
  // Makes fit() prune to schedule.sparsity_at(step) at the scheduled steps and apply() the masks
  // after every step. The Pruner must outlive the fit() call.
  void attach(FitOptions& options, const PruneSchedule& schedule);
  // Masks after one call of prune(); 1 keeps the weight.
  const std::vector<std::vector<std::uint8_t>>& masks() const { return masks_; }
  const std::vector<WeightMatrix>& matrices() const { return matrices_; }
  std::vector<LayerSparsity> report() const;

 private:
  static void on_step(void* self, std::size_t step);
  std::vector<std::size_t> structured_matrices() const;  // indices of those not lookup tables
  void prune_weights(double sparsity);
  void prune_outputs(double sparsity);

  std::vector<WeightMatrix> matrices_;
  PruneScope scope_;
  PruneUnit unit_;
  std::vector<std::vector<std::uint8_t>> masks_;
  PruneSchedule schedule_;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_PRUNE_HPP
