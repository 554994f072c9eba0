// The graph door's ops on a GPU (fp32): one cuda::DeviceOp per node that has one, made at
// session creation from the node's OpInfo; make_device_op returns null for a node (or an
// attribute, dtype or form) it does not cover, and that node runs on the CPU. An op reads its
// `device_inputs` from device memory and writes its one output there; what it reads from the
// model's constants (a Reshape's shape, a BatchNormalization's statistics) it reads at creation.
// Implementation-only (CUDA unit).
#ifndef INLAY_CUDA_IMPL_OPS_HPP
#define INLAY_CUDA_IMPL_OPS_HPP

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/cuda/impl/check.hpp"
#include "inlay/cuda/impl/context.hpp"
#include "inlay/cuda/impl/memory.hpp"
#include "inlay/cuda/kernels.hpp"
#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {

class DeviceOp {
 public:
  DeviceOp(const OpInfo& info, std::vector<std::size_t> device_inputs)
      : info_(info), device_inputs_(std::move(device_inputs)) {}
  virtual ~DeviceOp() = default;
  // The node's inputs read from device memory, in the order `run` gets them.
  const std::vector<std::size_t>& device_inputs() const noexcept { return device_inputs_; }
  // The output's shape from the shapes of the device inputs (an Error naming the node when they
  // do not fit).
  virtual Shape output_shape(const std::vector<Shape>& in) const = 0;
  virtual void run(Context& context, const std::vector<const float*>& in,
                   const std::vector<Shape>& shapes, float* out, const Shape& out_shape) const = 0;

 protected:
  [[noreturn]] void fail(ErrorKind kind, const std::string& message) const {
    info_.fail(kind, message + " (on the GPU)");
  }
  void check(cudaError_t status, const char* what) const {
    if (status != cudaSuccess) {
      fail(ErrorKind::invalid_argument,
           std::string("CUDA kernel ") + what + " failed: " + cudaGetErrorString(status));
    }
  }
  const OpInfo& info_;

 private:
  std::vector<std::size_t> device_inputs_;
};

namespace detail {

using inlay_cuda::Unary;

struct Activation {
  Unary op = Unary::identity;
  float alpha = 0.0f, beta = 0.0f;
};

// The epilogue the fusion pass put on Conv/Gemm/MatMul ("inlay.activation": kernels::UnaryOp).
inline bool fused_activation(const OpInfo& info, Activation& act) {
  const std::int64_t op = info.get_int("inlay.activation", 0);
  if (op < 0 || op > static_cast<std::int64_t>(Unary::pow)) return false;
  act.op = static_cast<Unary>(op);
  act.alpha = info.get_float("inlay.alpha", 0.0f);
  act.beta = info.get_float("inlay.beta", 0.0f);
  return true;
}

inline bool is_f32(const OpInfo& info, std::size_t i) {
  const std::optional<DType> d = info.input_dtype(i);
  return d.has_value() && *d == DType::f32;
}

inline std::int64_t normalized_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

inline std::int64_t product(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t p = 1;
  for (std::size_t d = from; d < to; ++d) p *= s[d];
  return p;
}

inline Shape make_shape(const std::vector<std::int64_t>& dims) {
  return Shape(dims.data(), dims.size());
}

inline int as_int(std::int64_t v, const OpInfo& info) {
  if (v > std::numeric_limits<int>::max()) {
    info.fail(ErrorKind::unsupported_op, "a GEMM dimension of " + std::to_string(v) +
                                             " is larger than cuBLAS takes (on the GPU)");
  }
  return static_cast<int>(v);
}

// Row-major C[M, N] = alpha op(A) op(B) + beta C over `batch` matrices (strides in elements);
// A is stored [M, K] ([K, M] when ta), B [K, N] ([N, K] when tb). cuBLAS is column-major: a
// row-major matrix is its transpose, so C^T = op(B)^T op(A)^T is what it computes.
inline void gemm(Context& c, const OpInfo& info, bool ta, bool tb, std::int64_t m, std::int64_t n,
                 std::int64_t k, float alpha, const float* a, std::int64_t lda, const float* b,
                 std::int64_t ldb, float beta, float* out, std::int64_t ldc, std::int64_t batch = 1,
                 std::int64_t stride_a = 0, std::int64_t stride_b = 0, std::int64_t stride_c = 0) {
  const cublasOperation_t op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (batch == 1) {
    INLAY_CUDA_CHECK(cublasSgemm(c.blas(), op_b, op_a, as_int(n, info), as_int(m, info),
                                 as_int(k, info), &alpha, b, as_int(ldb, info), a,
                                 as_int(lda, info), &beta, out, as_int(ldc, info)));
  } else {
    INLAY_CUDA_CHECK(cublasSgemmStridedBatched(
        c.blas(), op_b, op_a, as_int(n, info), as_int(m, info), as_int(k, info), &alpha, b,
        as_int(ldb, info), stride_b, a, as_int(lda, info), stride_a, &beta, out, as_int(ldc, info),
        stride_c, as_int(batch, info)));
  }
}

// Strides of `in` (contiguous) over the dims of `out`, aligned at the right; 0 where `in` has
// no such axis or size 1 (broadcast).
inline void broadcast_strides(const Shape& in, const Shape& out, std::int64_t* strides) {
  const std::size_t offset = out.rank() - in.rank();
  std::int64_t stride = 1;
  for (std::size_t d = out.rank(); d-- > 0;) {
    if (d < offset) {
      strides[d] = 0;
      continue;
    }
    const std::int64_t dim = in[d - offset];
    strides[d] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
}

// The shape both broadcast to (numpy rules), or false.
inline bool broadcast_shape(const Shape& a, const Shape& b, Shape& out) {
  const std::size_t rank = std::max(a.rank(), b.rank());
  std::vector<std::int64_t> dims(rank, 1);
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t da = d + a.rank() >= rank ? a[d + a.rank() - rank] : 1;
    const std::int64_t db = d + b.rank() >= rank ? b[d + b.rank() - rank] : 1;
    if (da != db && da != 1 && db != 1) return false;
    dims[d] = da == 1 ? db : da;
  }
  out = make_shape(dims);
  return true;
}

inline void copy_on_device(Context& c, const float* from, float* to, std::int64_t count) {
  if (count > 0 && from != to) {
    INLAY_CUDA_CHECK(cudaMemcpyAsync(to, from, static_cast<std::size_t>(count) * sizeof(float),
                                     cudaMemcpyDeviceToDevice, c.stream()));
  }
}

// Uploads host floats into a buffer of their own (at creation: synchronous).
inline DeviceBuffer upload(const std::vector<float>& values) {
  DeviceBuffer buffer(values.size() * sizeof(float));
  if (!values.empty()) {
    INLAY_CUDA_CHECK(cudaMemcpy(buffer.data(), values.data(), values.size() * sizeof(float),
                                cudaMemcpyHostToDevice));
  }
  return buffer;
}

// A constant input as floats, or false when it is absent or not a constant f32 tensor.
inline bool constant_floats(const OpInfo& info, std::size_t i, std::vector<float>& out) {
  const Tensor* t = info.constant_input(i);
  if (t == nullptr || t->dtype() != DType::f32) return false;
  out.assign(t->data<float>(), t->data<float>() + t->numel());
  return true;
}

// A constant integer input (i64 or i32) as int64s, or false.
inline bool constant_ints(const OpInfo& info, std::size_t i, std::vector<std::int64_t>& out) {
  const Tensor* t = info.constant_input(i);
  if (t == nullptr) return false;
  out.clear();
  if (t->dtype() == DType::i64) {
    out.assign(t->data<std::int64_t>(), t->data<std::int64_t>() + t->numel());
  } else if (t->dtype() == DType::i32) {
    for (std::int64_t k = 0; k < t->numel(); ++k) out.push_back(t->data<std::int32_t>()[k]);
  } else {
    return false;
  }
  return true;
}

// ---- element-wise ----

class UnaryDeviceOp final : public DeviceOp {
 public:
  UnaryDeviceOp(const OpInfo& info, Activation act) : DeviceOp(info, {0}), act_(act) {}
  Shape output_shape(const std::vector<Shape>& in) const override { return in[0]; }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>&, float* out,
           const Shape& out_shape) const override {
    check(inlay_cuda::launch_unary(act_.op, act_.alpha, act_.beta, in[0], out, out_shape.numel(),
                                   c.stream()),
          "unary");
  }

 private:
  Activation act_;
};

class BinaryDeviceOp final : public DeviceOp {
 public:
  BinaryDeviceOp(const OpInfo& info, inlay_cuda::Binary op) : DeviceOp(info, {0, 1}), op_(op) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    Shape out;
    if (!broadcast_shape(in[0], in[1], out)) {
      fail(ErrorKind::shape_mismatch,
           "shapes " + in[0].to_string() + " and " + in[1].to_string() + " do not broadcast");
    }
    return out;
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape& out_shape) const override {
    inlay_cuda::Broadcast b;
    b.rank = static_cast<int>(out_shape.rank());
    for (std::size_t d = 0; d < out_shape.rank(); ++d) b.dims[d] = out_shape[d];
    broadcast_strides(shapes[0], out_shape, b.a_strides);
    broadcast_strides(shapes[1], out_shape, b.b_strides);
    check(inlay_cuda::launch_binary(op_, in[0], in[1], out, b, c.stream()), "binary");
  }

 private:
  inlay_cuda::Binary op_;
};

// ---- matrix products ----

// MatMul (numpy semantics), with the bias (input 2) and activation the fusion pass may add.
class MatMulDeviceOp final : public DeviceOp {
 public:
  MatMulDeviceOp(const OpInfo& info, std::vector<std::size_t> inputs, Activation act)
      : DeviceOp(info, std::move(inputs)), act_(act) {}

  Shape output_shape(const std::vector<Shape>& in) const override {
    const Dims d = dims(in[0], in[1]);
    std::vector<std::int64_t> out(d.batch.begin(), d.batch.end());
    if (in[0].rank() >= 2) out.push_back(d.m);
    if (in[1].rank() >= 2) out.push_back(d.n);
    return make_shape(out);
  }

  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape& out_shape) const override {
    const Dims d = dims(shapes[0], shapes[1]);
    if (d.batch_b == 1) {  // B shared: one GEMM over every row of A
      gemm(c, info_, false, false, d.batch_a * d.m, d.n, d.k, 1.0f, in[0], d.k, in[1], d.n, 0.0f,
           out, d.n);
    } else if (d.batch_a == 1) {
      gemm(c, info_, false, false, d.m, d.n, d.k, 1.0f, in[0], d.k, in[1], d.n, 0.0f, out, d.n,
           d.batch_b, 0, d.k * d.n, d.m * d.n);
    } else if (d.batch_a == d.batch_b && d.same_batch) {
      gemm(c, info_, false, false, d.m, d.n, d.k, 1.0f, in[0], d.k, in[1], d.n, 0.0f, out, d.n,
           d.batch_a, d.m * d.k, d.k * d.n, d.m * d.n);
    } else {
      fail(ErrorKind::unsupported_op, "batch dimensions " + shapes[0].to_string() + " x " +
                                          shapes[1].to_string() +
                                          " that broadcast each other are not implemented");
    }
    const float* bias = in.size() > 2 ? in[2] : nullptr;
    if (bias != nullptr || act_.op != Unary::identity) {
      if (bias != nullptr && shapes[2].numel() != d.n) {
        fail(ErrorKind::shape_mismatch,
             "bias of shape " + shapes[2].to_string() + " for " + std::to_string(d.n) + " columns");
      }
      check(inlay_cuda::launch_channel_affine(out, out, nullptr, bias, out_shape.numel() / d.n, d.n,
                                              1, act_.op, act_.alpha, act_.beta, c.stream()),
            "bias and activation");
    }
  }

 private:
  struct Dims {
    std::int64_t m = 1, n = 1, k = 1, batch_a = 1, batch_b = 1;
    std::vector<std::int64_t> batch;  // the output's batch dims
    bool same_batch = true;           // A's and B's batch dims equal (left-padded with 1s)
  };
  Dims dims(const Shape& a, const Shape& b) const {
    if (a.rank() == 0 || b.rank() == 0) fail(ErrorKind::shape_mismatch, "MatMul of a scalar");
    Dims d;
    d.k = a[a.rank() - 1];
    d.m = a.rank() >= 2 ? a[a.rank() - 2] : 1;
    const std::int64_t kb = b.rank() >= 2 ? b[b.rank() - 2] : b[0];
    d.n = b.rank() >= 2 ? b[b.rank() - 1] : 1;
    if (kb != d.k) {
      fail(ErrorKind::shape_mismatch,
           "shapes " + a.to_string() + " and " + b.to_string() + " do not multiply");
    }
    const std::size_t ra = a.rank() >= 2 ? a.rank() - 2 : 0;
    const std::size_t rb = b.rank() >= 2 ? b.rank() - 2 : 0;
    const std::size_t rank = std::max(ra, rb);
    d.batch.assign(rank, 1);
    for (std::size_t i = 0; i < rank; ++i) {
      const std::int64_t x = i + ra >= rank ? a[i + ra - rank] : 1;
      const std::int64_t y = i + rb >= rank ? b[i + rb - rank] : 1;
      if (x != y && x != 1 && y != 1) {
        fail(ErrorKind::shape_mismatch,
             "batch dimensions of " + a.to_string() + " and " + b.to_string() + " differ");
      }
      d.same_batch = d.same_batch && x == y;
      d.batch[i] = x == 1 ? y : x;
      d.batch_a *= x;
      d.batch_b *= y;
    }
    return d;
  }
  Activation act_;
};

// Gemm: Y = alpha op(A) op(B) + beta C, then the fused activation.
class GemmDeviceOp final : public DeviceOp {
 public:
  GemmDeviceOp(const OpInfo& info, std::vector<std::size_t> inputs, Activation act)
      : DeviceOp(info, std::move(inputs)),
        act_(act),
        trans_a_(info.get_int("transA", 0) != 0),
        trans_b_(info.get_int("transB", 0) != 0),
        alpha_(info.get_float("alpha", 1.0f)),
        beta_(info.get_float("beta", 1.0f)) {}

  Shape output_shape(const std::vector<Shape>& in) const override {
    if (in[0].rank() != 2 || in[1].rank() != 2) {
      fail(ErrorKind::shape_mismatch,
           "Gemm needs 2-D A and B, not " + in[0].to_string() + " and " + in[1].to_string());
    }
    const std::int64_t k_a = trans_a_ ? in[0][0] : in[0][1];
    const std::int64_t k_b = trans_b_ ? in[1][1] : in[1][0];
    if (k_a != k_b) {
      fail(ErrorKind::shape_mismatch,
           "shapes " + in[0].to_string() + " and " + in[1].to_string() + " do not multiply");
    }
    return Shape{trans_a_ ? in[0][1] : in[0][0], trans_b_ ? in[1][0] : in[1][1]};
  }

  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape& out_shape) const override {
    const std::int64_t m = out_shape[0], n = out_shape[1];
    const std::int64_t k = trans_a_ ? shapes[0][0] : shapes[0][1];
    float beta = 0.0f;
    if (in.size() > 2) {  // C broadcast into Y first; the GEMM adds to it
      Shape both;
      if (!broadcast_shape(shapes[2], out_shape, both) || both != out_shape) {
        fail(ErrorKind::shape_mismatch, "C of shape " + shapes[2].to_string() +
                                            " does not broadcast to " + out_shape.to_string());
      }
      inlay_cuda::Broadcast b;
      b.rank = 2;
      b.dims[0] = m;
      b.dims[1] = n;
      broadcast_strides(shapes[2], out_shape, b.a_strides);
      check(inlay_cuda::launch_transpose(in[2], out, b, c.stream()), "broadcast of C");
      beta = beta_;
    }
    gemm(c, info_, trans_a_, trans_b_, m, n, k, alpha_, in[0], trans_a_ ? m : k, in[1],
         trans_b_ ? k : n, beta, out, n);
    if (act_.op != Unary::identity) {
      check(inlay_cuda::launch_unary(act_.op, act_.alpha, act_.beta, out, out, m * n, c.stream()),
            "activation");
    }
  }

 private:
  Activation act_;
  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

// ---- convolution and pooling (2-D, NCHW) ----

struct Window2d {
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  std::int64_t top = 0, left = 0, bottom = 0, right = 0;
  std::string auto_pad = "NOTSET";

  // Reads strides, dilations, pads and auto_pad; false for a form other than 2-D.
  bool read(const OpInfo& info) {
    const std::vector<std::int64_t> strides = info.get_ints("strides", {1, 1});
    const std::vector<std::int64_t> dilations = info.get_ints("dilations", {1, 1});
    const std::vector<std::int64_t> pads = info.get_ints("pads", {0, 0, 0, 0});
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4) return false;
    sh = strides[0];
    sw = strides[1];
    dh = dilations[0];
    dw = dilations[1];
    top = pads[0];
    left = pads[1];
    bottom = pads[2];
    right = pads[3];
    auto_pad = info.get_string("auto_pad", "NOTSET");
    return auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" ||
           auto_pad == "SAME_LOWER";
  }

  // Output size of one axis, and its pads when auto_pad chooses them.
  std::int64_t out_size(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t d,
                        std::int64_t& begin, std::int64_t& end, bool ceil_mode) const {
    const std::int64_t span = (k - 1) * d + 1;
    if (auto_pad == "VALID") {
      begin = end = 0;
    } else if (auto_pad != "NOTSET") {
      const std::int64_t out = (in + s - 1) / s;
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * s + span - in);
      begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
      return out;
    }
    const std::int64_t room = in + begin + end - span;
    if (room < 0) return 0;
    std::int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
    if (ceil_mode && (out - 1) * s >= in + begin) --out;  // no window may start in the end pad
    return out;
  }
};

class ConvDeviceOp final : public DeviceOp {
 public:
  ConvDeviceOp(const OpInfo& info, std::vector<std::size_t> inputs, Window2d window,
               std::int64_t group, Activation act, bool use_cudnn)
      : DeviceOp(info, std::move(inputs)),
        window_(std::move(window)),
        group_(group),
        act_(act),
        use_cudnn_(use_cudnn) {}

  Shape output_shape(const std::vector<Shape>& in) const override {
    const Geometry g = geometry(in[0], in[1]);
    return Shape{g.n, g.m, g.oh, g.ow};
  }
  // The same convolution with another group count.
  ConvDeviceOp with_group(std::int64_t group) const {
    return ConvDeviceOp(info_, device_inputs(), window_, group, act_, use_cudnn_);
  }

  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    const Geometry g = geometry(shapes[0], shapes[1]);
#ifdef INLAY_CUDA_HAVE_CUDNN
    if (use_cudnn_ && g.top == g.bottom && g.left == g.right) {
      run_cudnn(c, g, in[0], in[1], out);
    } else {
      run_im2col(c, g, in[0], in[1], out);
    }
#else
    run_im2col(c, g, in[0], in[1], out);
#endif
    const float* bias = in.size() > 2 ? in[2] : nullptr;
    if (bias != nullptr && shapes[2].numel() != g.m) {
      fail(ErrorKind::shape_mismatch, "bias of shape " + shapes[2].to_string() + " for " +
                                          std::to_string(g.m) + " output channels");
    }
    if (bias != nullptr || act_.op != Unary::identity) {
      check(inlay_cuda::launch_channel_affine(out, out, nullptr, bias, g.n, g.m, g.oh * g.ow,
                                              act_.op, act_.alpha, act_.beta, c.stream()),
            "bias and activation");
    }
  }

 private:
  struct Geometry {
    std::int64_t n, c, h, w, m, kh, kw, oh, ow, top, left, bottom, right;
  };

  Geometry geometry(const Shape& x, const Shape& w) const {
    if (x.rank() != 4 || w.rank() != 4) {
      fail(ErrorKind::unsupported_op,
           "only 2-D convolutions (4-D input and weights) run on the "
           "GPU, not " +
               x.to_string() + " and " + w.to_string());
    }
    Geometry g{};
    g.n = x[0];
    g.c = x[1];
    g.h = x[2];
    g.w = x[3];
    g.m = w[0];
    g.kh = w[2];
    g.kw = w[3];
    if (g.c != w[1] * group_ || g.m % group_ != 0) {
      fail(ErrorKind::shape_mismatch, "input " + x.to_string() + " and weights " + w.to_string() +
                                          " do not fit group " + std::to_string(group_));
    }
    g.top = window_.top;
    g.bottom = window_.bottom;
    g.left = window_.left;
    g.right = window_.right;
    g.oh = window_.out_size(g.h, g.kh, window_.sh, window_.dh, g.top, g.bottom, false);
    g.ow = window_.out_size(g.w, g.kw, window_.sw, window_.dw, g.left, g.right, false);
    return g;
  }

  // Per image and group: columns of the receptive fields (im2col), then one GEMM with the
  // weights. A 1x1 convolution with stride 1 and no pads reads the image as its columns, all
  // images in one batched GEMM.
  void run_im2col(Context& c, const Geometry& g, const float* x, const float* w, float* y) const {
    const std::int64_t cg = g.c / group_, mg = g.m / group_;
    const std::int64_t rows = cg * g.kh * g.kw, spatial = g.oh * g.ow;
    const bool direct = g.kh == 1 && g.kw == 1 && window_.sh == 1 && window_.sw == 1 &&
                        g.top == 0 && g.left == 0 && g.bottom == 0 && g.right == 0;
    if (direct && group_ == 1) {
      gemm(c, info_, false, false, g.m, spatial, g.c, 1.0f, w, g.c, x, spatial, 0.0f, y, spatial,
           g.n, 0, g.c * g.h * g.w, g.m * spatial);
      return;
    }
    float* cols = direct ? nullptr
                         : static_cast<float*>(c.workspace(
                               static_cast<std::size_t>(rows * spatial) * sizeof(float)));
    inlay_cuda::Im2col p;
    p.c = cg;
    p.h = g.h;
    p.w = g.w;
    p.oh = g.oh;
    p.ow = g.ow;
    p.kh = g.kh;
    p.kw = g.kw;
    p.sh = window_.sh;
    p.sw = window_.sw;
    p.ph = g.top;
    p.pw = g.left;
    p.dh = window_.dh;
    p.dw = window_.dw;
    for (std::int64_t image = 0; image < g.n; ++image) {
      for (std::int64_t k = 0; k < group_; ++k) {
        const float* xg = x + (image * g.c + k * cg) * g.h * g.w;
        const float* b = xg;
        if (!direct) {
          check(inlay_cuda::launch_im2col(p, xg, cols, c.stream()), "im2col");
          b = cols;
        }
        gemm(c, info_, false, false, mg, spatial, rows, 1.0f, w + k * mg * rows, rows, b, spatial,
             0.0f, y + (image * g.m + k * mg) * spatial, spatial);
      }
    }
  }

#ifdef INLAY_CUDA_HAVE_CUDNN
  // cuDNN's forward convolution, the algorithm its heuristics rank first (symmetric pads only).
  void run_cudnn(Context& c, const Geometry& g, const float* x, const float* w, float* y) const {
    Descriptors d;
    INLAY_CUDA_CHECK(cudnnCreateTensorDescriptor(&d.x));
    INLAY_CUDA_CHECK(cudnnCreateTensorDescriptor(&d.y));
    INLAY_CUDA_CHECK(cudnnCreateFilterDescriptor(&d.w));
    INLAY_CUDA_CHECK(cudnnCreateConvolutionDescriptor(&d.conv));
    INLAY_CUDA_CHECK(cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                                as_int(g.n, info_), as_int(g.c, info_),
                                                as_int(g.h, info_), as_int(g.w, info_)));
    INLAY_CUDA_CHECK(cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                                as_int(g.n, info_), as_int(g.m, info_),
                                                as_int(g.oh, info_), as_int(g.ow, info_)));
    INLAY_CUDA_CHECK(cudnnSetFilter4dDescriptor(d.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                                as_int(g.m, info_), as_int(g.c / group_, info_),
                                                as_int(g.kh, info_), as_int(g.kw, info_)));
    INLAY_CUDA_CHECK(cudnnSetConvolution2dDescriptor(
        d.conv, as_int(g.top, info_), as_int(g.left, info_), as_int(window_.sh, info_),
        as_int(window_.sw, info_), as_int(window_.dh, info_), as_int(window_.dw, info_),
        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    INLAY_CUDA_CHECK(cudnnSetConvolutionGroupCount(d.conv, as_int(group_, info_)));
    // FP32 throughout (no TF32), so the results compare with the CPU's.
    INLAY_CUDA_CHECK(cudnnSetConvolutionMathType(d.conv, CUDNN_FMA_MATH));
    cudnnConvolutionFwdAlgoPerf_t perf[8];
    int found = 0;
    INLAY_CUDA_CHECK(
        cudnnGetConvolutionForwardAlgorithm_v7(c.dnn(), d.x, d.w, d.conv, d.y, 8, &found, perf));
    int chosen = -1;
    for (int i = 0; i < found && chosen < 0; ++i) {
      if (perf[i].status == CUDNN_STATUS_SUCCESS) chosen = i;
    }
    if (chosen < 0) fail(ErrorKind::unsupported_op, "cuDNN has no algorithm for this convolution");
    std::size_t bytes = 0;
    INLAY_CUDA_CHECK(cudnnGetConvolutionForwardWorkspaceSize(c.dnn(), d.x, d.w, d.conv, d.y,
                                                             perf[chosen].algo, &bytes));
    void* workspace = bytes > 0 ? c.workspace(bytes) : nullptr;
    const float one = 1.0f, zero = 0.0f;
    INLAY_CUDA_CHECK(cudnnConvolutionForward(c.dnn(), &one, d.x, x, d.w, w, d.conv,
                                             perf[chosen].algo, workspace, bytes, &zero, d.y, y));
  }
  struct Descriptors {
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    cudnnFilterDescriptor_t w = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    Descriptors() = default;
    Descriptors(const Descriptors&) = delete;
    Descriptors& operator=(const Descriptors&) = delete;
    ~Descriptors() {
      if (conv != nullptr) cudnnDestroyConvolutionDescriptor(conv);
      if (w != nullptr) cudnnDestroyFilterDescriptor(w);
      if (y != nullptr) cudnnDestroyTensorDescriptor(y);
      if (x != nullptr) cudnnDestroyTensorDescriptor(x);
    }
  };
#endif

  Window2d window_;
  std::int64_t group_;
  Activation act_;
  bool use_cudnn_;
};

// inlay:InvertedBottleneck (the fusion pass's Conv 1x1 -> depthwise Conv -> Conv 1x1, see
// graph/ops/inverted_bottleneck.hpp) as its three convolutions, through two buffers of its own.
class InvertedBottleneckDeviceOp final : public DeviceOp {
 public:
  InvertedBottleneckDeviceOp(const OpInfo& info, std::vector<std::size_t> inputs,
                             const Window2d& depthwise, const Activation acts[3], bool use_cudnn)
      : DeviceOp(info, inputs),
        expand_(info, {}, Window2d(), 1, acts[0], use_cudnn),
        depthwise_(info, {}, depthwise, 0, acts[1], use_cudnn),
        project_(info, {}, Window2d(), 1, acts[2], use_cudnn) {
    // Where each layer's weights and bias are among the device inputs (-1: no bias).
    for (std::size_t k = 0; k < inputs.size(); ++k) position_[inputs[k]] = static_cast<int>(k);
  }

  Shape output_shape(const std::vector<Shape>& in) const override {
    const Shape expanded = expand_.output_shape({in[0], in[at(1)]});
    const Shape filtered = depthwise_for(expanded).output_shape({expanded, in[at(3)]});
    return project_.output_shape({filtered, in[at(5)]});
  }

  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape& out_shape) const override {
    const Shape expanded = expand_.output_shape({shapes[0], shapes[at(1)]});
    const ConvDeviceOp depthwise = depthwise_for(expanded);
    const Shape filtered = depthwise.output_shape({expanded, shapes[at(3)]});
    expanded_.reserve(static_cast<std::size_t>(expanded.numel()) * sizeof(float));
    filtered_.reserve(static_cast<std::size_t>(filtered.numel()) * sizeof(float));
    layer(c, expand_, in[0], shapes[0], 1, in, shapes, expanded_.floats(), expanded);
    layer(c, depthwise, expanded_.floats(), expanded, 3, in, shapes, filtered_.floats(), filtered);
    layer(c, project_, filtered_.floats(), filtered, 5, in, shapes, out, out_shape);
  }

 private:
  // The depthwise layer has one group per expanded channel.
  ConvDeviceOp depthwise_for(const Shape& expanded) const {
    return depthwise_.with_group(expanded.rank() == 4 ? expanded[1] : 1);
  }
  std::size_t at(std::size_t input) const { return static_cast<std::size_t>(position_[input]); }
  // Runs one layer: its weights are node input `weights`, its bias (if any) the next.
  void layer(Context& c, const ConvDeviceOp& op, const float* x, const Shape& x_shape,
             std::size_t weights, const std::vector<const float*>& in,
             const std::vector<Shape>& shapes, float* y, const Shape& y_shape) const {
    std::vector<const float*> args{x, in[at(weights)]};
    std::vector<Shape> arg_shapes{x_shape, shapes[at(weights)]};
    if (position_[weights + 1] >= 0) {
      args.push_back(in[at(weights + 1)]);
      arg_shapes.push_back(shapes[at(weights + 1)]);
    }
    op.run(c, args, arg_shapes, y, y_shape);
  }

  ConvDeviceOp expand_, depthwise_, project_;
  int position_[7] = {-1, -1, -1, -1, -1, -1, -1};
  mutable DeviceBuffer expanded_, filtered_;  // one session's op: its own intermediates
};

class PoolDeviceOp final : public DeviceOp {
 public:
  PoolDeviceOp(const OpInfo& info, Window2d window, bool max, bool ceil_mode,
               bool count_include_pad)
      : DeviceOp(info, {0}),
        window_(std::move(window)),
        max_(max),
        ceil_mode_(ceil_mode),
        count_include_pad_(count_include_pad) {}

  Shape output_shape(const std::vector<Shape>& in) const override {
    const inlay_cuda::Pool2d p = params(in[0]);
    return Shape{p.n, p.c, p.oh, p.ow};
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    check(inlay_cuda::launch_pool2d(params(shapes[0]), in[0], out, c.stream()), "pooling");
  }

 private:
  inlay_cuda::Pool2d params(const Shape& x) const {
    if (x.rank() != 4) {
      fail(ErrorKind::unsupported_op,
           "only 2-D pooling (4-D input) runs on the GPU, not " + x.to_string());
    }
    inlay_cuda::Pool2d p;
    p.n = x[0];
    p.c = x[1];
    p.h = x[2];
    p.w = x[3];
    p.kh = window_.kh;
    p.kw = window_.kw;
    p.sh = window_.sh;
    p.sw = window_.sw;
    p.dh = window_.dh;
    p.dw = window_.dw;
    std::int64_t top = window_.top, bottom = window_.bottom, left = window_.left,
                 right = window_.right;
    p.oh = window_.out_size(p.h, p.kh, p.sh, p.dh, top, bottom, ceil_mode_);
    p.ow = window_.out_size(p.w, p.kw, p.sw, p.dw, left, right, ceil_mode_);
    p.ph = top;
    p.pw = left;
    p.max = max_;
    p.count_include_pad = count_include_pad_;
    return p;
  }
  Window2d window_;
  bool max_, ceil_mode_, count_include_pad_;
};

class GlobalAveragePoolDeviceOp final : public DeviceOp {
 public:
  explicit GlobalAveragePoolDeviceOp(const OpInfo& info) : DeviceOp(info, {0}) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    if (in[0].rank() < 3) {
      fail(ErrorKind::shape_mismatch,
           "input of shape " + in[0].to_string() + " has no spatial axes");
    }
    std::vector<std::int64_t> dims(in[0].rank(), 1);
    dims[0] = in[0][0];
    dims[1] = in[0][1];
    return make_shape(dims);
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    const Shape& x = shapes[0];
    check(inlay_cuda::launch_row_mean(in[0], out, x[0] * x[1], product(x, 2, x.rank()), c.stream()),
          "global average");
  }
};

// ---- normalizations ----

// Inference BatchNormalization with constant statistics: y = x * scale[c] + shift[c].
class BatchNormDeviceOp final : public DeviceOp {
 public:
  BatchNormDeviceOp(const OpInfo& info, const std::vector<float>& scale,
                    const std::vector<float>& shift)
      : DeviceOp(info, {0}),
        channels_(static_cast<std::int64_t>(scale.size())),
        scale_(upload(scale)),
        shift_(upload(shift)) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    if (in[0].rank() < 2 || in[0][1] != channels_) {
      fail(ErrorKind::shape_mismatch, "input of shape " + in[0].to_string() + " for " +
                                          std::to_string(channels_) + " channels");
    }
    return in[0];
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    const Shape& x = shapes[0];
    check(inlay_cuda::launch_channel_affine(in[0], out, scale_.floats(), shift_.floats(), x[0],
                                            channels_, product(x, 2, x.rank()), Unary::identity,
                                            0.0f, 0.0f, c.stream()),
          "batch normalization");
  }

 private:
  std::int64_t channels_;
  DeviceBuffer scale_, shift_;
};

class LayerNormDeviceOp final : public DeviceOp {
 public:
  LayerNormDeviceOp(const OpInfo& info, std::vector<std::size_t> inputs, std::int64_t axis,
                    float epsilon)
      : DeviceOp(info, std::move(inputs)), axis_(axis), epsilon_(epsilon) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    const std::int64_t axis = normalized_axis(axis_, in[0].rank());
    if (axis < 0 || axis >= static_cast<std::int64_t>(in[0].rank())) {
      fail(ErrorKind::shape_mismatch,
           "axis " + std::to_string(axis_) + " of shape " + in[0].to_string());
    }
    const std::int64_t cols = product(in[0], static_cast<std::size_t>(axis), in[0].rank());
    for (std::size_t i = 1; i < in.size(); ++i) {
      if (in[i].numel() != cols) {
        fail(ErrorKind::shape_mismatch, "scale or bias of shape " + in[i].to_string() +
                                            " for rows of " + std::to_string(cols));
      }
    }
    return in[0];
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    const std::size_t axis = static_cast<std::size_t>(normalized_axis(axis_, shapes[0].rank()));
    const std::int64_t rows = product(shapes[0], 0, axis);
    const std::int64_t cols = product(shapes[0], axis, shapes[0].rank());
    check(inlay_cuda::launch_layer_norm(in[0], out, in.size() > 1 ? in[1] : nullptr,
                                        in.size() > 2 ? in[2] : nullptr, rows, cols, epsilon_,
                                        c.stream()),
          "layer normalization");
  }

 private:
  std::int64_t axis_;
  float epsilon_;
};

class SoftmaxDeviceOp final : public DeviceOp {
 public:
  SoftmaxDeviceOp(const OpInfo& info, std::int64_t axis, bool flatten, bool log)
      : DeviceOp(info, {0}), axis_(axis), flatten_(flatten), log_(log) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    const std::int64_t axis = normalized_axis(axis_, in[0].rank());
    if (axis < 0 || axis >= static_cast<std::int64_t>(std::max<std::size_t>(in[0].rank(), 1))) {
      fail(ErrorKind::shape_mismatch,
           "axis " + std::to_string(axis_) + " of shape " + in[0].to_string());
    }
    return in[0];
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape&) const override {
    const Shape& x = shapes[0];
    const std::size_t axis = static_cast<std::size_t>(normalized_axis(axis_, x.rank()));
    const std::int64_t outer = product(x, 0, axis);
    // Before opset 13 the axes from `axis` on are one flattened axis.
    const std::int64_t length = flatten_ ? product(x, axis, x.rank()) : (x.rank() ? x[axis] : 1);
    const std::int64_t inner = flatten_ ? 1 : product(x, axis + 1, x.rank());
    check(inlay_cuda::launch_softmax(in[0], out, outer, length, inner, log_, c.stream()),
          "softmax");
  }

 private:
  std::int64_t axis_;
  bool flatten_, log_;
};

// ---- data movement ----

// Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout (inference): the same elements under
// another shape, copied device to device.
class ReshapeDeviceOp final : public DeviceOp {
 public:
  enum class Kind { flatten, reshape, squeeze, unsqueeze, identity };
  ReshapeDeviceOp(const OpInfo& info, Kind kind, std::vector<std::int64_t> values, bool allow_zero)
      : DeviceOp(info, {0}), kind_(kind), values_(std::move(values)), allow_zero_(allow_zero) {}

  Shape output_shape(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    std::vector<std::int64_t> out;
    switch (kind_) {
      case Kind::identity: return x;
      case Kind::flatten: {
        const std::int64_t axis = normalized_axis(values_[0], x.rank());
        if (axis < 0 || axis > static_cast<std::int64_t>(x.rank())) {
          fail(ErrorKind::shape_mismatch, "axis out of range for " + x.to_string());
        }
        return Shape{product(x, 0, static_cast<std::size_t>(axis)),
                     product(x, static_cast<std::size_t>(axis), x.rank())};
      }
      case Kind::reshape: {
        std::int64_t known = 1;
        int infer = -1;
        for (std::size_t d = 0; d < values_.size(); ++d) {
          std::int64_t v = values_[d];
          if (v == 0 && !allow_zero_) {
            if (d >= x.rank()) fail(ErrorKind::shape_mismatch, "0 past the input's rank");
            v = x[d];
          }
          if (v == -1) {
            if (infer >= 0) fail(ErrorKind::shape_mismatch, "two -1 in the shape");
            infer = static_cast<int>(d);
            v = 1;
          } else if (v < 0) {
            fail(ErrorKind::shape_mismatch, "negative dimension in the shape");
          }
          out.push_back(v);
          known *= v;
        }
        if (infer >= 0) {
          if (known == 0 || x.numel() % known != 0) {
            fail(ErrorKind::shape_mismatch, "cannot reshape " + x.to_string());
          }
          out[static_cast<std::size_t>(infer)] = x.numel() / known;
        }
        break;
      }
      case Kind::squeeze: {
        std::vector<char> drop(x.rank(), 0);
        for (std::int64_t a : values_) {
          const std::int64_t axis = normalized_axis(a, x.rank());
          if (axis < 0 || axis >= static_cast<std::int64_t>(x.rank()) || x[axis] != 1) {
            fail(ErrorKind::shape_mismatch,
                 "cannot squeeze axis " + std::to_string(a) + " of " + x.to_string());
          }
          drop[static_cast<std::size_t>(axis)] = 1;
        }
        for (std::size_t d = 0; d < x.rank(); ++d) {
          if (values_.empty() ? x[d] != 1 : !drop[d]) out.push_back(x[d]);
        }
        break;
      }
      case Kind::unsqueeze: {
        const std::size_t rank = x.rank() + values_.size();
        std::vector<char> added(rank, 0);
        for (std::int64_t a : values_) {
          const std::int64_t axis = normalized_axis(a, rank);
          if (axis < 0 || axis >= static_cast<std::int64_t>(rank) || added[axis]) {
            fail(ErrorKind::shape_mismatch, "bad unsqueeze axis " + std::to_string(a));
          }
          added[static_cast<std::size_t>(axis)] = 1;
        }
        std::size_t next = 0;
        for (std::size_t d = 0; d < rank; ++d) out.push_back(added[d] ? 1 : x[next++]);
        break;
      }
    }
    const Shape shape = make_shape(out);
    if (shape.numel() != x.numel()) {
      fail(ErrorKind::shape_mismatch,
           "cannot reshape " + x.to_string() + " to " + shape.to_string());
    }
    return shape;
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>&, float* out,
           const Shape& out_shape) const override {
    copy_on_device(c, in[0], out, out_shape.numel());
  }

 private:
  Kind kind_;
  std::vector<std::int64_t> values_;  // flatten: {axis}; reshape: the shape; (un)squeeze: axes
  bool allow_zero_;
};

class TransposeDeviceOp final : public DeviceOp {
 public:
  TransposeDeviceOp(const OpInfo& info, std::vector<std::int64_t> perm)
      : DeviceOp(info, {0}), perm_(std::move(perm)) {}
  Shape output_shape(const std::vector<Shape>& in) const override {
    const std::vector<std::int64_t> perm = permutation(in[0]);
    std::vector<std::int64_t> dims;
    for (std::int64_t p : perm) dims.push_back(in[0][static_cast<std::size_t>(p)]);
    return make_shape(dims);
  }
  void run(Context& c, const std::vector<const float*>& in, const std::vector<Shape>& shapes,
           float* out, const Shape& out_shape) const override {
    const Shape& x = shapes[0];
    const std::vector<std::int64_t> perm = permutation(x);
    std::vector<std::int64_t> strides(x.rank(), 1);
    for (std::size_t d = x.rank(); d-- > 1;) strides[d - 1] = strides[d] * x[d];
    inlay_cuda::Broadcast b;
    b.rank = static_cast<int>(x.rank());
    for (std::size_t d = 0; d < x.rank(); ++d) {
      b.dims[d] = out_shape[d];
      b.a_strides[d] = strides[static_cast<std::size_t>(perm[d])];
    }
    check(inlay_cuda::launch_transpose(in[0], out, b, c.stream()), "transpose");
  }

 private:
  std::vector<std::int64_t> permutation(const Shape& x) const {
    std::vector<std::int64_t> perm = perm_;
    if (perm.empty()) {
      for (std::size_t d = x.rank(); d-- > 0;) perm.push_back(static_cast<std::int64_t>(d));
    }
    std::vector<char> seen(x.rank(), 0);
    if (perm.size() != x.rank()) fail(ErrorKind::shape_mismatch, "perm of another rank");
    for (std::int64_t p : perm) {
      if (p < 0 || p >= static_cast<std::int64_t>(x.rank()) || seen[p]) {
        fail(ErrorKind::shape_mismatch, "perm is not a permutation");
      }
      seen[static_cast<std::size_t>(p)] = 1;
    }
    return perm;
  }
  std::vector<std::int64_t> perm_;
};

}  // namespace detail

// The op for a node with `used_outputs` outputs the graph reads, or null when the node has no
// GPU form here and runs on the CPU. Every input the op reads on the device must be known f32:
// by the loader (OpInfo::input_dtype) or by the caller (`f32_inputs[i]`: e.g. made by a GPU
// node, where the loader's rules do not reach). `use_cudnn` picks cuDNN for convolutions.
inline std::unique_ptr<DeviceOp> make_device_op(const OpInfo& info, const std::string& op,
                                                const std::string& domain, std::size_t used_outputs,
                                                const std::vector<char>& f32_inputs,
                                                bool use_cudnn) {
  using namespace detail;
  using inlay_cuda::Binary;
  if (used_outputs != 1)
    return nullptr;  // every op here writes one output (MaxPool's indices: CPU)
  // ONNX's default domain; Gelu also from com.microsoft (exporters before opset 20).
  const bool microsoft_gelu = domain == "com.microsoft" && op == "Gelu";
  const bool inlay_block = domain == "inlay" && op == "InvertedBottleneck";
  if (!domain.empty() && domain != "ai.onnx" && !microsoft_gelu && !inlay_block) return nullptr;
  // The inputs read on the device: `count` first ones where given, all f32.
  const auto given = [&](std::size_t count, std::vector<std::size_t>& out) {
    out.clear();
    for (std::size_t i = 0; i < count && i < info.input_count(); ++i) {
      if (!info.has_input(i)) continue;
      if (!is_f32(info, i) && !(i < f32_inputs.size() && f32_inputs[i])) return false;
      out.push_back(i);
    }
    return !out.empty() && out[0] == 0;
  };
  std::vector<std::size_t> inputs;
  if (!given(1, inputs)) return nullptr;  // input 0 is always a device input of f32

  // Element-wise functions of one input.
  Activation act;
  bool unary = true;
  if (op == "Relu") act.op = Unary::relu;
  else if (op == "Sigmoid") act.op = Unary::sigmoid;
  else if (op == "Tanh") act.op = Unary::tanh;
  else if (op == "LeakyRelu") act = {Unary::leaky_relu, info.get_float("alpha", 0.01f), 0.0f};
  else if (op == "Elu") act = {Unary::elu, info.get_float("alpha", 1.0f), 0.0f};
  else if (op == "Selu") {
    act = {Unary::selu, info.get_float("alpha", 1.67326319217681884765625f),
           info.get_float("gamma", 1.05070102214813232421875f)};
  } else if (op == "HardSigmoid") {
    act = {Unary::hard_sigmoid, info.get_float("alpha", 0.2f), info.get_float("beta", 0.5f)};
  } else if (op == "HardSwish") act.op = Unary::hard_swish;
  else if (op == "Softplus") act.op = Unary::softplus;
  else if (op == "Mish") act.op = Unary::mish;
  else if (op == "Exp") act.op = Unary::exp;
  else if (op == "Log") act.op = Unary::log;
  else if (op == "Sqrt") act.op = Unary::sqrt;
  else if (op == "Erf") act.op = Unary::erf;
  else if (op == "Abs") act.op = Unary::abs;
  else if (op == "Neg") act.op = Unary::neg;
  else if (op == "Reciprocal") act.op = Unary::reciprocal;
  else if (op == "Gelu") {
    const std::string approximate = info.get_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") return nullptr;
    act.op = approximate == "tanh" ? Unary::gelu_tanh : Unary::gelu_erf;
  } else if (op == "Clip") {
    act = {Unary::clip, std::numeric_limits<float>::lowest(), std::numeric_limits<float>::max()};
    if (info.opset() < 11) {
      act.alpha = info.get_float("min", act.alpha);
      act.beta = info.get_float("max", act.beta);
    } else {
      std::vector<float> bound;
      for (std::size_t i = 1; i <= 2; ++i) {
        if (!info.has_input(i)) continue;
        if (!constant_floats(info, i, bound) || bound.size() != 1) return nullptr;
        (i == 1 ? act.alpha : act.beta) = bound[0];
      }
    }
  } else {
    unary = false;
  }
  if (unary) return std::make_unique<UnaryDeviceOp>(info, act);

  // Element-wise functions of two inputs, with broadcasting.
  const std::pair<const char*, Binary> binaries[] = {
      {"Add", Binary::add}, {"Sub", Binary::sub}, {"Mul", Binary::mul}, {"Div", Binary::div},
      {"Pow", Binary::pow}, {"Max", Binary::max}, {"Min", Binary::min}};
  for (const auto& [name, kind] : binaries) {
    if (op != name) continue;
    if (info.input_count() != 2 || !given(2, inputs) || inputs.size() != 2) return nullptr;
    return std::make_unique<BinaryDeviceOp>(info, kind);
  }

  if (op == "MatMul" || op == "Gemm") {
    if (!fused_activation(info, act) || !given(3, inputs) || inputs.size() < 2 || inputs[1] != 1) {
      return nullptr;
    }
    if (op == "MatMul") return std::make_unique<MatMulDeviceOp>(info, inputs, act);
    return std::make_unique<GemmDeviceOp>(info, inputs, act);
  }
  if (op == "Conv") {
    Window2d window;
    if (!fused_activation(info, act) || !given(3, inputs) || inputs.size() < 2 || inputs[1] != 1 ||
        !window.read(info)) {
      return nullptr;
    }
    return std::make_unique<ConvDeviceOp>(info, inputs, window, info.get_int("group", 1), act,
                                          use_cudnn);
  }
  if (op == "InvertedBottleneck" && domain == "inlay") {
    Window2d depthwise;
    if (!given(7, inputs) || !depthwise.read(info)) return nullptr;
    std::vector<char> present(7, 0);
    for (std::size_t k : inputs) present[k] = 1;
    if (!present[1] || !present[3] || !present[5]) return nullptr;
    Activation acts[3];
    const char* prefixes[3] = {"inlay.expand.", "inlay.depthwise.", "inlay.project."};
    for (int k = 0; k < 3; ++k) {
      const std::string prefix = prefixes[k];
      const std::int64_t code = info.get_int(prefix + "activation", 0);
      if (code < 0 || code > static_cast<std::int64_t>(Unary::pow)) return nullptr;
      acts[k] = {static_cast<Unary>(code), info.get_float(prefix + "alpha", 0.0f),
                 info.get_float(prefix + "beta", 0.0f)};
    }
    return std::make_unique<InvertedBottleneckDeviceOp>(info, inputs, depthwise, acts, use_cudnn);
  }
  if (op == "MaxPool" || op == "AveragePool") {
    Window2d window;
    const std::vector<std::int64_t> kernel = info.get_ints("kernel_shape");
    if (kernel.size() != 2 || !window.read(info)) return nullptr;
    if (op == "AveragePool" && info.has("dilations")) return nullptr;
    window.kh = kernel[0];
    window.kw = kernel[1];
    return std::make_unique<PoolDeviceOp>(info, window, op == "MaxPool",
                                          info.get_int("ceil_mode", 0) != 0,
                                          info.get_int("count_include_pad", 0) != 0);
  }
  if (op == "GlobalAveragePool") return std::make_unique<GlobalAveragePoolDeviceOp>(info);
  if (op == "BatchNormalization") {
    if (info.get_int("training_mode", 0) != 0) return nullptr;
    std::vector<float> scale, bias, mean, var;
    if (!constant_floats(info, 1, scale) || !constant_floats(info, 2, bias) ||
        !constant_floats(info, 3, mean) || !constant_floats(info, 4, var) ||
        bias.size() != scale.size() || mean.size() != scale.size() || var.size() != scale.size()) {
      return nullptr;
    }
    const float epsilon = info.get_float("epsilon", 1e-5f);
    std::vector<float> shift(scale.size());
    for (std::size_t c = 0; c < scale.size(); ++c) {
      scale[c] = scale[c] / std::sqrt(var[c] + epsilon);
      shift[c] = bias[c] - mean[c] * scale[c];
    }
    return std::make_unique<BatchNormDeviceOp>(info, scale, shift);
  }
  if (op == "LayerNormalization") {
    if (!given(3, inputs)) return nullptr;
    return std::make_unique<LayerNormDeviceOp>(info, inputs, info.get_int("axis", -1),
                                               info.get_float("epsilon", 1e-5f));
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    const bool old = info.opset() < 13;
    return std::make_unique<SoftmaxDeviceOp>(info, info.get_int("axis", old ? 1 : -1), old,
                                             op == "LogSoftmax");
  }
  using Kind = ReshapeDeviceOp::Kind;
  if (op == "Identity" || op == "Dropout") {
    return std::make_unique<ReshapeDeviceOp>(info, Kind::identity, std::vector<std::int64_t>{},
                                             false);
  }
  if (op == "Flatten") {
    return std::make_unique<ReshapeDeviceOp>(
        info, Kind::flatten, std::vector<std::int64_t>{info.get_int("axis", 1)}, false);
  }
  if (op == "Reshape") {
    std::vector<std::int64_t> shape;
    if (!constant_ints(info, 1, shape)) return nullptr;
    return std::make_unique<ReshapeDeviceOp>(info, Kind::reshape, shape,
                                             info.get_int("allowzero", 0) != 0);
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    std::vector<std::int64_t> axes;
    if (info.has_input(1)) {
      if (!constant_ints(info, 1, axes)) return nullptr;
    } else {
      axes = info.get_ints("axes");
    }
    if (op == "Unsqueeze" && axes.empty()) return nullptr;
    return std::make_unique<ReshapeDeviceOp>(
        info, op == "Squeeze" ? Kind::squeeze : Kind::unsqueeze, axes, false);
  }
  if (op == "Transpose") return std::make_unique<TransposeDeviceOp>(info, info.get_ints("perm"));
  return nullptr;
}

}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_IMPL_OPS_HPP
