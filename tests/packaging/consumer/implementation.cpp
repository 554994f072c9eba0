// The implementation unit of the consumers built with plain compiler commands. A selective build
// with the op families test_package/model.onnx needs (`inlay ops test_package/model.onnx`): these
// consumers check how inlay is found and wired, and the families left out keep the unit quick to
// compile.
#define INLAY_OPS_ONLY
#define INLAY_OP_ELEMENTWISE
#define INLAY_OP_GEMM
#define INLAY_OP_SOFTMAX
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>
