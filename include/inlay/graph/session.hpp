// inlay::Session: runs a Model. One per thread; a Session keeps the memory of the last run (the
// arena, planned from the shapes of the first run with a given set of input shapes) so that
// later runs with the same input shapes allocate nothing.
#ifndef INLAY_GRAPH_SESSION_HPP
#define INLAY_GRAPH_SESSION_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/executor.hpp"
#include "inlay/core/tensor.hpp"
#include "inlay/graph/model.hpp"
#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN

struct SessionOptions {
  // Threads for this session's own pool (1: everything on the calling thread, no pool).
  std::size_t threads = 1;
  // How long the pool's idle threads spin before they sleep (ThreadPool): 0 saves CPU time where
  // a host runs other work beside inlay, at the cost of a slower start of each parallel step.
  std::size_t spin_microseconds = ThreadPool::kDefaultSpinMicroseconds;
  // A pool of the host's to use instead (must outlive the session); `threads` is then ignored.
  Executor* executor = nullptr;
  // A CPU target to force ("AVX2", "SSE4" ...; see inlay::available_cpu_targets()); "" = best.
  // The choice is process-wide (set_cpu_target).
  std::string cpu_target;
  // Where the nodes run: "" or "cpu" (the default), or "cuda" / "cuda:N" (GPU N; needs a program
  // built with inlay_add_implementation(<target> CUDA), docs/cuda.md). On a GPU, each node with a
  // CUDA kernel runs there and the others on the CPU, with the copies between them planned once.
  std::string device;
  // A cudaStream_t of the host's for a CUDA session to run on (it must outlive the session);
  // null: the session makes its own.
  void* device_stream = nullptr;
};

class Session {
 public:
  explicit Session(Model model, const SessionOptions& options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Inputs by position (the model's input order). The outputs are new tensors owned by the
  // caller, in the model's output order.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // Inputs by name; every input of the model must be given once.
  std::vector<Tensor> run(const std::vector<std::pair<std::string, Tensor>>& inputs);
  // Writes into `outputs`: tensors with the right dtype and shape that the caller owns are
  // reused, others are replaced. With the same `outputs` and input shapes as the previous call,
  // this makes no heap allocation.
  void run_into(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs);

  // Inputs and outputs that may be sequences or optionals (ValueDesc::kind); tensors among the
  // outputs are new tensors owned by the caller.
  std::vector<AnyValue> run_any(const std::vector<AnyValue>& inputs);

  const Model& model() const noexcept { return model_; }
  // Bytes of the arena planned for the current input shapes (0 before the first run).
  std::size_t arena_bytes() const noexcept;
  // Where each node of the compiled graph runs, one line per node: "<device> <op type> '<name>'"
  // ("cpu" for every node without SessionOptions::device).
  std::string placement() const;

 private:
  Model model_;
  struct State;
  std::unique_ptr<State> state_;
};

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_SESSION_HPP
