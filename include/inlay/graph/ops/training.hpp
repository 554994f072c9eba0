// The optimizer ops of domain ai.onnx.preview.training (version 1): Adagrad, Momentum, Adam.
// Each takes a learning rate R, a step count T, then n tensors X..., their gradients G... and
// one or two optimizer states per tensor, and returns the new X... and the new states. The
// formulas are those of the ONNX operator documentation (and its node tests' reference code).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_TRAINING_HPP
#define INLAY_GRAPH_OPS_TRAINING_HPP

#include <cmath>
#include <cstdint>
#include <string>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

constexpr const char* training_domain = "ai.onnx.preview.training";

// What an optimizer kernel shares: reading R and T, checking the groups of inputs, and running
// an elementwise update on each tensor. `States` is the number of optimizer states per tensor
// (Adagrad's H: 1; Momentum's V: 1; Adam's V and H: 2).
template <int States>
class OptimizerKernel : public OpKernel {
 protected:
  static constexpr int groups = 2 + States;  // X, G, states

  // The number of optimized tensors; an Error naming the node where the inputs and outputs do
  // not come in whole groups.
  static std::int64_t tensor_count(const OpContext& ctx) {
    const OpInfo& info = ctx.info();
    const auto inputs = static_cast<std::int64_t>(ctx.input_count()) - 2;
    if (inputs <= 0 || inputs % groups != 0) {
      info.fail(ErrorKind::invalid_model,
                "expected R, T, then " + std::to_string(groups) +
                    " inputs per optimized tensor (X, G and the states), not " +
                    std::to_string(ctx.input_count()) + " inputs");
    }
    const std::int64_t n = inputs / groups;
    const auto outputs = static_cast<std::int64_t>(ctx.output_count());
    if (outputs != n * (1 + States)) {
      info.fail(ErrorKind::invalid_model, "expected " + std::to_string(n * (1 + States)) +
                                              " outputs (the new X and states of " +
                                              std::to_string(n) + " tensors), not " +
                                              std::to_string(outputs));
    }
    return n;
  }

  // R: a float scalar.
  static double learning_rate(const OpContext& ctx) {
    const Tensor& r = ctx.input(0);
    if (r.dtype() != DType::f32 && r.dtype() != DType::f64) {
      ctx.fail(ErrorKind::invalid_model,
               std::string("R (the learning rate) must be float, not ") + dtype_name(r.dtype()));
    }
    return read_scalar(ctx.info(), r, "R (the learning rate)");
  }
  // T: an int64 scalar.
  static std::int64_t step(const OpContext& ctx) {
    const Tensor& t = ctx.input(1);
    if (t.dtype() != DType::i64 || t.numel() != 1) {
      ctx.fail(ErrorKind::invalid_model, "T (the step count) must be one int64, not " +
                                             std::string(dtype_name(t.dtype())) + " " +
                                             t.shape().to_string());
    }
    return *t.data<std::int64_t>();
  }

  // For each tensor i: checks that X, G and the states share dtype and shape, allocates the
  // outputs and calls update(x, g, state_in, x_out, state_out) on every element, in double.
  template <class Update>
  static void for_each_tensor(OpContext& ctx, Update&& update) {
    const OpInfo& info = ctx.info();
    const std::int64_t n = tensor_count(ctx);
    const char* names[] = {"X", "G", "first state", "second state"};
    for (std::int64_t i = 0; i < n; ++i) {
      const Tensor* in[groups];
      for (int k = 0; k < groups; ++k) in[k] = &ctx.input(static_cast<std::size_t>(2 + k * n + i));
      for (int k = 1; k < groups; ++k) {
        if (in[k]->dtype() != in[0]->dtype() || in[k]->shape() != in[0]->shape()) {
          info.fail(ErrorKind::shape_mismatch,
                    std::string(names[k]) + " of tensor " + std::to_string(i) + " (" +
                        dtype_name(in[k]->dtype()) + " " + in[k]->shape().to_string() +
                        ") does not match its X (" + dtype_name(in[0]->dtype()) + " " +
                        in[0]->shape().to_string() + ")");
        }
      }
      visit_dtype(
          info, in[0]->dtype(),
          [&](auto tag) {
            using T = decltype(tag);
            const Shape& shape = in[0]->shape();
            T* out[1 + States];
            for (int k = 0; k <= States; ++k)
              out[k] = ctx.output(static_cast<std::size_t>(k * n + i), in[0]->dtype(), shape)
                           .template data<T>();
            const T* src[groups];
            for (int k = 0; k < groups; ++k) src[k] = in[k]->template data<T>();
            for (std::int64_t e = 0; e < shape.numel(); ++e) {
              double state[States], x_new = 0, state_new[States];
              for (int k = 0; k < States; ++k) state[k] = static_cast<double>(src[2 + k][e]);
              update(static_cast<double>(src[0][e]), static_cast<double>(src[1][e]), state, x_new,
                     state_new);
              out[0][e] = static_cast<T>(x_new);
              for (int k = 0; k < States; ++k) out[1 + k][e] = static_cast<T>(state_new[k]);
            }
          },
          FloatTypes{});
    }
  }
};

// Adagrad (Duchi et al. 2011) with a decaying rate: r = R / (1 + T decay_factor),
// g = norm_coefficient X + G, H' = H + g^2, X' = X - r g / (sqrt(H') + epsilon).
class AdagradKernel final : public OptimizerKernel<1> {
 public:
  explicit AdagradKernel(const OpInfo& info)
      : decay_factor_(info.get_float("decay_factor", 0.0f)),
        epsilon_(info.get_float("epsilon", 1e-6f)),
        norm_coefficient_(info.get_float("norm_coefficient", 0.0f)) {}
  void run(OpContext& ctx) const override {
    const double r = learning_rate(ctx) / (1 + static_cast<double>(step(ctx)) * decay_factor_);
    for_each_tensor(ctx, [&](double x, double g, const double* h, double& x_new, double* h_new) {
      const double gr = norm_coefficient_ * x + g;
      h_new[0] = h[0] + gr * gr;
      x_new = x - r * gr / (std::sqrt(h_new[0]) + epsilon_);
    });
  }

 private:
  double decay_factor_, epsilon_, norm_coefficient_;
};

// Momentum: g = norm_coefficient X + G, V' = alpha V + beta' g (beta' = 1 at T = 0, else beta);
// standard: X' = X - R V'; nesterov: X' = X - R (g + alpha V').
class MomentumKernel final : public OptimizerKernel<1> {
 public:
  explicit MomentumKernel(const OpInfo& info)
      : alpha_(info.require("alpha", Attribute::Kind::float_).f),
        beta_(info.require("beta", Attribute::Kind::float_).f),
        norm_coefficient_(info.require("norm_coefficient", Attribute::Kind::float_).f),
        nesterov_(choice_of<bool>(info, "mode", info.require("mode", Attribute::Kind::string).s,
                                  {{"standard", false}, {"nesterov", true}},
                                  ErrorKind::invalid_model)) {}
  void run(OpContext& ctx) const override {
    const double r = learning_rate(ctx);
    const double beta = step(ctx) > 0 ? beta_ : 1.0;
    for_each_tensor(ctx, [&](double x, double g, const double* v, double& x_new, double* v_new) {
      const double gr = norm_coefficient_ * x + g;
      v_new[0] = alpha_ * v[0] + beta * gr;
      x_new = nesterov_ ? x - r * (gr + alpha_ * v_new[0]) : x - r * v_new[0];
    });
  }

 private:
  double alpha_, beta_, norm_coefficient_;
  bool nesterov_;
};

// Adam (Kingma and Ba 2015): g = norm_coefficient X + G, V' = alpha V + (1 - alpha) g,
// H' = beta H + (1 - beta) g^2, r = R sqrt(1 - beta^T) / (1 - alpha^T) for T > 0 (R at T = 0),
// X' = (1 - norm_coefficient_post) (X - r V' / (sqrt(H') + epsilon)).
class AdamKernel final : public OptimizerKernel<2> {
 public:
  explicit AdamKernel(const OpInfo& info)
      : alpha_(info.get_float("alpha", 0.9f)),
        beta_(info.get_float("beta", 0.999f)),
        epsilon_(info.get_float("epsilon", 1e-6f)),
        norm_coefficient_(info.get_float("norm_coefficient", 0.0f)),
        norm_coefficient_post_(info.get_float("norm_coefficient_post", 0.0f)) {}
  void run(OpContext& ctx) const override {
    const std::int64_t t = step(ctx);
    double r = learning_rate(ctx);
    if (t > 0) {
      const auto td = static_cast<double>(t);
      r *= std::sqrt(1 - std::pow(beta_, td)) / (1 - std::pow(alpha_, td));
    }
    for_each_tensor(ctx, [&](double x, double g, const double* vh, double& x_new, double* vh_new) {
      const double gr = norm_coefficient_ * x + g;
      vh_new[0] = alpha_ * vh[0] + (1 - alpha_) * gr;
      vh_new[1] = beta_ * vh[1] + (1 - beta_) * gr * gr;
      x_new =
          (1 - norm_coefficient_post_) * (x - r * vh_new[0] / (std::sqrt(vh_new[1]) + epsilon_));
    });
  }

 private:
  double alpha_, beta_, epsilon_, norm_coefficient_, norm_coefficient_post_;
};

inline void register_training_ops(OpSet& ops) {
  ops.add(training_domain, "Adagrad", 1, factory<AdagradKernel>());
  ops.add(training_domain, "Momentum", 1, factory<MomentumKernel>());
  ops.add(training_domain, "Adam", 1, factory<AdamKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_TRAINING_HPP
