// Graph-door tests of the com.microsoft QOperator ops (include/inlay/graph/ops/
// qlinear_elementwise.hpp): QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
// QLinearConcat, QLinearGlobalAveragePool, QLinearAveragePool, and MaxPool on uint8/int8, each
// against the output of ONNX Runtime (onnxruntime-node 1.31.1, CPU) on the same model; and the
// errors that name a bad scale or zero point.
//
// The reference values below were written by tests/graph/ops/qlinear_elementwise_ort.py (it
// builds each model with onnx.helper, opset 13 + com.microsoft 1, with the scales and zero points
// as initializers, and runs it in onnxruntime-node). Inputs are byte patterns: element i holds
// (i * mul + add) % 256 as the dtype's bit pattern (pattern<T>() below, the script's pattern()).
// inlay must agree with ORT within 1 LSB on every element (see the header's comment for where
// they may differ); the table-driven ops agree exactly.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;

namespace {

// ---- ORT's outputs (generated; see above) ----

// QLinearAdd_u8_same: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddU8Same = {
    10,  51,  93, 135, 176, 145, 186, 45,  86,  128, 96, 138,
    180, 221, 80, 48,  90,  131, 173, 215, 183, 42,  83, 125,
};
// QLinearAdd_u8_bcast: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddU8Bcast = {
    10,  36,  63, 89, 131, 157, 184, 27,  69,  95, 122, 148,
    144, 171, 14, 41, 82,  109, 135, 161, 203, 47, 73,  99,
};
// QLinearAdd_u8_scalar: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddU8Scalar = {
    10,  36,  63, 89, 116, 142, 168, 12,  38,  65, 91, 118,
    144, 171, 14, 41, 67,  93,  120, 146, 173, 16, 43, 69,
};
// QLinearAdd_u8_bcast2: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddU8Bcast2 = {
    10, 25, 40, 55, 36, 51, 67, 82, 63,  78, 93, 108,
    70, 12, 28, 43, 97, 39, 54, 69, 123, 65, 80, 96,
};
// QLinearMul_u8_same: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulU8Same = {
    241, 156, 114, 116, 161, 57,  84,  92,  56, 63,  122, 112,
    144, 221, 0,   174, 125, 120, 158, 240, 50, 125, 81,  81,
};
// QLinearMul_u8_bcast: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulU8Bcast = {
    241, 203, 164, 126, 106, 90,  73,  171, 109, 114, 120, 125,
    47,  8,   235, 196, 136, 120, 104, 87,  136, 104, 110, 115,
};
// QLinearMul_u8_scalar: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulU8Scalar = {
    241, 203, 164, 126, 88,  50,  12, 238, 200, 161, 123, 85,
    47,  8,   235, 196, 158, 120, 82, 44,  5,   232, 193, 155,
};
// QLinearMul_u8_bcast2: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulU8Bcast2 = {
    241, 172, 103, 34, 203, 156, 108, 61,  164, 139, 114, 88,
    0,   229, 160, 91, 14,  195, 148, 100, 63,  160, 135, 109,
};
// QLinearSigmoid_u8: ORT output [256]
const std::vector<int> kQLinearSigmoidU8 = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   2,   2,   2,   2,   2,   3,   3,   3,   3,   4,   4,   5,   5,   6,   6,   7,   8,   8,
    9,   10,  11,  12,  13,  15,  16,  18,  19,  21,  23,  26,  28,  31,  33,  36,  40,  43,  47,
    51,  55,  59,  64,  69,  74,  79,  85,  91,  97,  103, 109, 115, 122, 128, 134, 141, 147, 153,
    159, 165, 171, 177, 182, 187, 192, 197, 201, 205, 209, 213, 216, 220, 223, 225, 228, 230, 233,
    235, 237, 238, 240, 241, 243, 244, 245, 246, 247, 248, 248, 249, 250, 250, 251, 251, 252, 252,
    253, 253, 253, 253, 254, 254, 254, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255,
};
// QLinearLeakyRelu_u8: ORT output [256]
const std::vector<int> kQLinearLeakyReluU8 = {
    43,  43,  44,  44,  44,  44,  44,  44,  45,  45,  45,  45,  45,  46,  46,  46,  46,  46,  46,
    46,  47,  47,  47,  47,  47,  48,  48,  48,  48,  48,  48,  48,  49,  49,  49,  49,  49,  49,
    50,  50,  50,  50,  50,  50,  51,  51,  51,  51,  51,  52,  52,  52,  52,  52,  52,  52,  53,
    53,  53,  53,  53,  53,  54,  54,  54,  54,  54,  54,  55,  55,  55,  55,  55,  55,  56,  56,
    56,  56,  56,  56,  57,  57,  57,  57,  57,  57,  58,  58,  58,  58,  58,  58,  59,  59,  59,
    59,  59,  59,  60,  60,  60,  62,  63,  65,  67,  68,  70,  72,  73,  75,  77,  78,  80,  82,
    83,  85,  87,  88,  90,  92,  93,  95,  97,  98,  100, 102, 103, 105, 107, 108, 110, 112, 113,
    115, 117, 118, 120, 122, 123, 125, 127, 128, 130, 132, 133, 135, 137, 138, 140, 142, 143, 145,
    147, 148, 150, 152, 153, 155, 157, 158, 160, 162, 163, 165, 167, 168, 170, 172, 173, 175, 177,
    178, 180, 182, 183, 185, 187, 188, 190, 192, 193, 195, 197, 198, 200, 202, 203, 205, 207, 208,
    210, 212, 213, 215, 217, 218, 220, 222, 223, 225, 227, 228, 230, 232, 233, 235, 237, 238, 240,
    242, 243, 245, 247, 248, 250, 252, 253, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255,
};
// QLinearConcat_u8: ORT output [2, 6, 3]
const std::vector<int> kQLinearConcatU8 = {
    58,  80, 102, 124, 147, 169, 0,   62,  179, 3, 32, 61, 90, 119, 148, 177, 206, 235,
    191, 60, 82,  104, 126, 148, 255, 255, 0,   8, 37, 66, 95, 124, 153, 182, 211, 240,
};
// QLinearGlobalAveragePool_u8_cl0: ORT output [2, 3, 1, 1]
const std::vector<int> kQLinearGlobalAveragePoolU8Cl0 = {
    77, 117, 157, 49, 89, 129,
};
// QLinearAveragePool_u8_cl0_cip0: ORT output [1, 2, 3, 3]
const std::vector<int> kQLinearAveragePoolU8Cl0Cip0 = {
    100, 50, 72, 136, 134, 108, 65, 51, 143, 148, 170, 120, 113, 111, 156, 220, 170, 85,
};
// QLinearAveragePool_u8_cl0_cip1: ORT output [1, 2, 3, 3]
const std::vector<int> kQLinearAveragePoolU8Cl0Cip1 = {
    106, 70, 93, 127, 134, 108, 90, 71, 125, 127, 150, 114, 112, 111, 141, 159, 150, 99,
};
// QLinearGlobalAveragePool_u8_cl1: ORT output [2, 1, 1, 3]
const std::vector<int> kQLinearGlobalAveragePoolU8Cl1 = {
    122, 117, 111, 94, 89, 83,
};
// QLinearAveragePool_u8_cl1_cip0: ORT output [1, 3, 3, 2]
const std::vector<int> kQLinearAveragePoolU8Cl1Cip0 = {
    72, 133, 114, 105, 122, 77, 143, 134, 115, 129, 87, 148, 108, 170, 116, 106, 158, 113,
};
// QLinearAveragePool_u8_cl1_cip1: ORT output [1, 3, 3, 2]
const std::vector<int> kQLinearAveragePoolU8Cl1Cip1 = {
    93, 120, 113, 107, 115, 95, 132, 126, 115, 129, 94, 136, 109, 137, 114, 107, 131, 111,
};
// MaxPool_u8: ORT output [1, 2, 3, 3]
const std::vector<int> kMaxPoolU8 = {
    233, 233, 159, 233, 236, 236, 239, 165, 202, 205, 242, 245, 248, 248, 245, 248, 251, 251,
};
// QLinearAdd_s8_same: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddS8Same = {
    3,   45,  87, 55, -86, -45,  -3,  38,  7,  48, 90, -51,
    -83, -41, 0,  42, 83,  -128, -89, -48, -6, 35, 4,  45,
};
// QLinearAdd_s8_bcast: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddS8Bcast = {
    3,   30,  56, 83, -59, -32, -6,  21,  62, 89, 115, -41,
    -45, -19, 8,  34, 76,  -81, -54, -28, 14, 40, 67,  93,
};
// QLinearAdd_s8_scalar: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddS8Scalar = {
    3,   30,  56, 83, -74, -47, -21, 6,   32,  58, 85, -72,
    -45, -19, 8,  34, 61,  -96, -69, -43, -17, 10, 36, 63,
};
// QLinearAdd_s8_bcast2: ORT output [2, 3, 4]
const std::vector<int> kQLinearAddS8Bcast2 = {
    3, 19, 34, -24, 30, 45, 60, 2, 56, 71, 87, 29, -9, 6, 21, 36, 17, 32, 48, 63, 44, 59, 74, 89,
};
// QLinearMul_s8_same: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulS8Same = {
    -5, 29, 106, -92, 15, -33, -38, 1,   -33, -12, 52,  -118,
    73, 12, -5,  21,  91, 127, 43,  -12, -24, 8,   -50, -37,
};
// QLinearMul_s8_bcast: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulS8Bcast = {
    -5,  6,   18, 29, -100, -67,  -34, -1,  56,  110, 127, -128,
    -25, -14, -3, 8,  67,   -128, -95, -62, -45, 10,  64,  119,
};
// QLinearMul_s8_scalar: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulS8Scalar = {
    -5,  6,   18, 29, -37, -26, -15, -4,  7,   18, 30, -36,
    -25, -14, -3, 8,  19,  -46, -35, -24, -13, -2, 9,  20,
};
// QLinearMul_s8_bcast2: ORT output [2, 3, 4]
const std::vector<int> kQLinearMulS8Bcast2 = {
    -5, -4, -4, -6, 6,   29, 51, -35, 18,  62, 106, -63,
    -5, -5, -4, -3, -12, 10, 33, 55,  -19, 25, 69,  113,
};
// QLinearSigmoid_s8: ORT output [256]
const std::vector<int> kQLinearSigmoidS8 = {
    0,    6,    13,   19,   25,   31,   37,   43,   49,   54,   59,   64,   69,   73,   77,   81,
    85,   88,   92,   95,   97,   100,  102,  105,  107,  109,  110,  112,  113,  115,  116,  117,
    118,  119,  120,  120,  121,  122,  122,  123,  123,  124,  124,  125,  125,  125,  125,  126,
    126,  126,  126,  126,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,
    127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,
    127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,
    127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,
    127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,  127,
    -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
    -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
    -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
    -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
    -128, -128, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -126, -126, -126,
    -126, -126, -125, -125, -125, -125, -124, -124, -123, -123, -122, -122, -121, -120, -120, -119,
    -118, -117, -116, -115, -113, -112, -110, -109, -107, -105, -102, -100, -97,  -95,  -92,  -88,
    -85,  -81,  -77,  -73,  -69,  -64,  -59,  -54,  -49,  -43,  -37,  -31,  -25,  -19,  -13,  -6,
};
// QLinearLeakyRelu_s8: ORT output [256]
const std::vector<int> kQLinearLeakyReluS8 = {
    38,  40,  42,  43,  45,  47,  48,  50,  52,  53,  55,  57,  58,  60,  62,  63,  65,  67,  68,
    70,  72,  73,  75,  77,  78,  80,  82,  83,  85,  87,  88,  90,  92,  93,  95,  97,  98,  100,
    102, 103, 105, 107, 108, 110, 112, 113, 115, 117, 118, 120, 122, 123, 125, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, -13, -13, -13, -13, -12,
    -12, -12, -12, -12, -12, -11, -11, -11, -11, -11, -11, -10, -10, -10, -10, -10, -9,  -9,  -9,
    -9,  -9,  -9,  -9,  -8,  -8,  -8,  -8,  -8,  -7,  -7,  -7,  -7,  -7,  -7,  -7,  -6,  -6,  -6,
    -6,  -6,  -6,  -5,  -5,  -5,  -5,  -5,  -5,  -4,  -4,  -4,  -4,  -4,  -3,  -3,  -3,  -3,  -3,
    -3,  -3,  -2,  -2,  -2,  -2,  -2,  -2,  -1,  -1,  -1,  -1,  -1,  -1,  0,   0,   0,   0,   0,
    0,   1,   1,   1,   1,   1,   1,   2,   2,   2,   2,   2,   2,   3,   3,   3,   3,   3,   3,
    4,   4,   4,   4,   4,   4,   5,   5,   5,   7,   8,   10,  12,  13,  15,  17,  18,  20,  22,
    23,  25,  27,  28,  30,  32,  33,  35,  37,
};
// QLinearConcat_s8: ORT output [2, 6, 3]
const std::vector<int> kQLinearConcatS8 = {
    7,   29, 51, 73, -58, -36, 81,   127, 127, 3, 32, 61, 90, 119, -108, -79, -50, -21,
    -14, 8,  31, 53, 75,  -56, -128, -15, 101, 8, 37, 66, 95, 124, -103, -74, -45, -16,
};
// QLinearGlobalAveragePool_s8_cl0: ORT output [2, 3, 1, 1]
const std::vector<int> kQLinearGlobalAveragePoolS8Cl0 = {
    34, -24, 16, 56, 47, -12,
};
// QLinearAveragePool_s8_cl0_cip0: ORT output [1, 2, 3, 3]
const std::vector<int> kQLinearAveragePoolS8Cl0Cip0 = {
    2, 94, 80, 38, -36, 10, 74, 24, -61, -56, -70, 22, 15, -11, -13, -91, 1, 94,
};
// QLinearAveragePool_s8_cl0_cip1: ORT output [1, 2, 3, 3]
const std::vector<int> kQLinearAveragePoolS8Cl0Cip1 = {
    5, 65, 40, 28, -36, 9, 37, 18, -23, -21, -45, 14, 12, -11, -7, -37, 3, 46,
};
// QLinearGlobalAveragePool_s8_cl1: ORT output [2, 1, 1, 3]
const std::vector<int> kQLinearGlobalAveragePoolS8Cl1 = {
    30, 25, -30, 3, 47, 41,
};
// QLinearAveragePool_s8_cl1_cip0: ORT output [1, 3, 3, 2]
const std::vector<int> kQLinearAveragePoolS8Cl1Cip0 = {
    80, 35, 16, 7, 24, -21, 45, -35, -7, 8, -11, -21, 10, -35, 18, 8, -46, 15,
};
// QLinearAveragePool_s8_cl1_cip1: ORT output [1, 3, 3, 2]
const std::vector<int> kQLinearAveragePoolS8Cl1Cip1 = {
    40, 20, 13, 7, 14, -6, 33, -21, -7, 8, -5, -12, 8, -12, 14, 8, -17, 11,
};
// MaxPool_s8: ORT output [1, 2, 3, 3]
const std::vector<int> kMaxPoolS8 = {
    48, 122, 122, 125, 91, 88, 91, 94, 94, 97, 23, 60, 97, 100, 103, -8, 66, 103,
};

// ---- helpers ----

const Tolerance kOneLsb{0.0, 1.0};
const Tolerance kExact{0.0, 0.0};

template <class T>
inlay::Tensor pattern(const Shape& shape, int mul, int add) {
  inlay::Tensor t(inlay::dtype_of_v<T>, shape);
  for (std::int64_t i = 0; i < shape.numel(); ++i) {
    t.data<T>()[i] = static_cast<T>(static_cast<std::uint8_t>((i * mul + add) % 256));
  }
  return t;
}
template <class T>
inlay::Tensor values(const Shape& shape, const std::vector<int>& v) {
  inlay::Tensor t(inlay::dtype_of_v<T>, shape);
  REQUIRE(static_cast<std::int64_t>(v.size()) == shape.numel());
  for (std::size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = static_cast<T>(v[i]);
  return t;
}
inlay::Tensor scale(float v) { return make_tensor<float>(Shape{}, {v}); }
template <class T>
inlay::Tensor zero(int v) {
  return make_tensor<T, int>(Shape{}, {v});
}

OpTester ms_op(const std::string& op) {
  OpTester t(op, 13);
  t.domain("com.microsoft");
  return t;
}

// A QLinearAdd/QLinearMul node with the pairs as constants (fed = false) or graph inputs.
template <class T>
OpTester binary(const std::string& op, const Shape& as, const Shape& bs, const float (&s)[3],
                const int (&z)[3], bool fed) {
  OpTester t = ms_op(op);
  auto pair = [&](float sv, int zv) {
    if (fed) t.in(scale(sv)).in(zero<T>(zv));
    else t.constant(scale(sv)).constant(zero<T>(zv));
  };
  t.in(pattern<T>(as, 37, 11));
  pair(s[0], z[0]);
  t.in(pattern<T>(bs, 53, 7));
  pair(s[1], z[1]);
  pair(s[2], z[2]);
  return t;
}

template <class T>
void check_binary(const std::string& op, const float (&s)[3], const int (&z)[3],
                  const std::vector<int>& same, const std::vector<int>& bcast,
                  const std::vector<int>& scalar_b, const std::vector<int>& bcast2) {
  const Shape out{2, 3, 4};
  for (bool fed : {false, true}) {
    INFO(op << (fed ? ", pairs fed at run" : ", constant pairs"));
    binary<T>(op, out, out, s, z, fed).check({values<T>(out, same)}, kOneLsb);
    binary<T>(op, out, Shape{3, 1}, s, z, fed).check({values<T>(out, bcast)}, kOneLsb);
    binary<T>(op, out, Shape{1}, s, z, fed).check({values<T>(out, scalar_b)}, kOneLsb);
    binary<T>(op, Shape{3, 1}, Shape{2, 1, 4}, s, z, fed).check({values<T>(out, bcast2)}, kOneLsb);
  }
}

// X, x_scale, x_zero_point, y_scale, y_zero_point.
template <class T>
OpTester unary(const std::string& op, const inlay::Tensor& x, float sx, int zx, float sy, int zy,
               bool fed) {
  OpTester t = ms_op(op);
  t.in(x);
  if (fed) t.in(scale(sx)).in(zero<T>(zx)).in(scale(sy)).in(zero<T>(zy));
  else t.constant(scale(sx)).constant(zero<T>(zx)).constant(scale(sy)).constant(zero<T>(zy));
  return t;
}

}  // namespace

TEST_CASE("QLinearAdd and QLinearMul agree with ONNX Runtime within 1 LSB",
          "[graph/ops/qlinear_elementwise]") {
  check_binary<std::uint8_t>("QLinearAdd", {0.05f, 0.02f, 0.07f}, {128, 100, 120},
                             kQLinearAddU8Same, kQLinearAddU8Bcast, kQLinearAddU8Scalar,
                             kQLinearAddU8Bcast2);
  check_binary<std::int8_t>("QLinearAdd", {0.05f, 0.02f, 0.07f}, {10, -20, -5}, kQLinearAddS8Same,
                            kQLinearAddS8Bcast, kQLinearAddS8Scalar, kQLinearAddS8Bcast2);
  check_binary<std::uint8_t>("QLinearMul", {0.05f, 0.02f, 0.09f}, {128, 100, 120},
                             kQLinearMulU8Same, kQLinearMulU8Bcast, kQLinearMulU8Scalar,
                             kQLinearMulU8Bcast2);
  check_binary<std::int8_t>("QLinearMul", {0.05f, 0.02f, 0.09f}, {10, -20, -5}, kQLinearMulS8Same,
                            kQLinearMulS8Bcast, kQLinearMulS8Scalar, kQLinearMulS8Bcast2);
}

TEST_CASE("QLinearAdd: by hand, ties to even and saturation", "[graph/ops/qlinear_elementwise]") {
  // A = (a - 0) * 1, B = (b - 0) * 1, C scale 2, zero point 10: (1 + 2) / 2 = 1.5 -> 2,
  // (2 + 3) / 2 = 2.5 -> 2, 250 + 250 -> 250 + 10 saturates to 255; no B zero point (0).
  ms_op("QLinearAdd")
      .in(make_tensor<std::uint8_t>(Shape{3}, {1, 2, 250}))
      .constant(scale(1))
      .constant(zero<std::uint8_t>(0))
      .in(make_tensor<std::uint8_t>(Shape{3}, {2, 3, 250}))
      .constant(scale(1))
      .none()
      .constant(scale(2))
      .constant(zero<std::uint8_t>(10))
      .check({make_tensor<std::uint8_t>(Shape{3}, {12, 12, 255})}, kExact);
}

TEST_CASE("QLinearSigmoid and QLinearLeakyRelu map every byte as ONNX Runtime does",
          "[graph/ops/qlinear_elementwise]") {
  const Shape all{256};
  for (bool fed : {false, true}) {
    INFO((fed ? "pairs fed at run" : "constant pairs: the table is built at load"));
    unary<std::uint8_t>("QLinearSigmoid", pattern<std::uint8_t>(all, 1, 0), 0.1f, 128, 1.0f / 256,
                        0, fed)
        .check({values<std::uint8_t>(all, kQLinearSigmoidU8)}, kOneLsb);
    unary<std::int8_t>("QLinearSigmoid", pattern<std::int8_t>(all, 1, 0), 0.1f, 0, 1.0f / 256, -128,
                       fed)
        .check({values<std::int8_t>(all, kQLinearSigmoidS8)}, kOneLsb);
    unary<std::uint8_t>("QLinearLeakyRelu", pattern<std::uint8_t>(all, 1, 0), 0.05f, 100, 0.03f, 60,
                        fed)
        .attr("alpha", 0.1f)
        .check({values<std::uint8_t>(all, kQLinearLeakyReluU8)}, kExact);
    unary<std::int8_t>("QLinearLeakyRelu", pattern<std::int8_t>(all, 1, 0), 0.05f, -20, 0.03f, 5,
                       fed)
        .attr("alpha", 0.1f)
        .check({values<std::int8_t>(all, kQLinearLeakyReluS8)}, kExact);
  }
}

TEST_CASE("QLinearConcat requantizes each input to Y's pair as ONNX Runtime does",
          "[graph/ops/qlinear_elementwise]") {
  auto concat = [](auto tag, const int(&z)[4], bool fed) {
    using T = decltype(tag);
    OpTester t = ms_op("QLinearConcat");
    t.attr("axis", std::int64_t{1});
    auto pair = [&](float s, int zv) {
      if (fed) t.in(scale(s)).in(zero<T>(zv));
      else t.constant(scale(s)).constant(zero<T>(zv));
    };
    pair(0.05f, z[3]);
    t.in(pattern<T>(Shape{2, 2, 3}, 37, 11));
    pair(0.03f, z[0]);
    t.in(pattern<T>(Shape{2, 1, 3}, 53, 7));
    pair(0.11f, z[1]);
    t.in(pattern<T>(Shape{2, 3, 3}, 29, 3));  // Y's pair: copied
    pair(0.05f, z[2]);
    return t;
  };
  for (bool fed : {false, true}) {
    concat(std::uint8_t{}, {128, 90, 128, 128}, fed)
        .check({values<std::uint8_t>(Shape{2, 6, 3}, kQLinearConcatU8)}, kExact);
    concat(std::int8_t{}, {0, -30, 0, 0}, fed)
        .check({values<std::int8_t>(Shape{2, 6, 3}, kQLinearConcatS8)}, kExact);
  }
}

TEST_CASE("QLinearGlobalAveragePool, NCHW and NHWC, as ONNX Runtime computes it",
          "[graph/ops/qlinear_elementwise]") {
  for (bool fed : {false, true}) {
    unary<std::uint8_t>("QLinearGlobalAveragePool",
                        pattern<std::uint8_t>(Shape{2, 3, 4, 5}, 37, 11), 0.05f, 128, 0.013f, 110,
                        fed)
        .check({values<std::uint8_t>(Shape{2, 3, 1, 1}, kQLinearGlobalAveragePoolU8Cl0)}, kExact);
    unary<std::uint8_t>("QLinearGlobalAveragePool",
                        pattern<std::uint8_t>(Shape{2, 4, 5, 3}, 37, 11), 0.05f, 128, 0.013f, 110,
                        fed)
        .attr("channels_last", std::int64_t{1})
        .check({values<std::uint8_t>(Shape{2, 1, 1, 3}, kQLinearGlobalAveragePoolU8Cl1)}, kExact);
    unary<std::int8_t>("QLinearGlobalAveragePool", pattern<std::int8_t>(Shape{2, 3, 4, 5}, 37, 11),
                       0.05f, -3, 0.013f, 7, fed)
        .check({values<std::int8_t>(Shape{2, 3, 1, 1}, kQLinearGlobalAveragePoolS8Cl0)}, kExact);
    unary<std::int8_t>("QLinearGlobalAveragePool", pattern<std::int8_t>(Shape{2, 4, 5, 3}, 37, 11),
                       0.05f, -3, 0.013f, 7, fed)
        .attr("channels_last", std::int64_t{1})
        .check({values<std::int8_t>(Shape{2, 1, 1, 3}, kQLinearGlobalAveragePoolS8Cl1)}, kExact);
  }
}

TEST_CASE("QLinearAveragePool, NCHW and NHWC, with and without the padding counted",
          "[graph/ops/qlinear_elementwise]") {
  auto pool = [](auto tag, bool channels_last, bool include_pad, int zx, int zy) {
    using T = decltype(tag);
    const Shape xs = channels_last ? Shape{1, 5, 5, 2} : Shape{1, 2, 5, 5};
    return unary<T>("QLinearAveragePool", pattern<T>(xs, 37, 11), 0.05f, zx, 0.03f, zy, false)
        .attr("kernel_shape", {3, 3})
        .attr("strides", {2, 2})
        .attr("pads", {1, 1, 1, 1})
        .attr("count_include_pad", std::int64_t{include_pad ? 1 : 0})
        .attr("channels_last", std::int64_t{channels_last ? 1 : 0});
  };
  const Shape nchw{1, 2, 3, 3}, nhwc{1, 3, 3, 2};
  const std::uint8_t u8{};
  const std::int8_t s8{};
  pool(u8, false, false, 128, 110)
      .check({values<std::uint8_t>(nchw, kQLinearAveragePoolU8Cl0Cip0)}, kOneLsb);
  pool(u8, false, true, 128, 110)
      .check({values<std::uint8_t>(nchw, kQLinearAveragePoolU8Cl0Cip1)}, kOneLsb);
  pool(u8, true, false, 128, 110)
      .check({values<std::uint8_t>(nhwc, kQLinearAveragePoolU8Cl1Cip0)}, kOneLsb);
  pool(u8, true, true, 128, 110)
      .check({values<std::uint8_t>(nhwc, kQLinearAveragePoolU8Cl1Cip1)}, kOneLsb);
  pool(s8, false, false, -3, 7)
      .check({values<std::int8_t>(nchw, kQLinearAveragePoolS8Cl0Cip0)}, kOneLsb);
  pool(s8, false, true, -3, 7)
      .check({values<std::int8_t>(nchw, kQLinearAveragePoolS8Cl0Cip1)}, kOneLsb);
  pool(s8, true, false, -3, 7)
      .check({values<std::int8_t>(nhwc, kQLinearAveragePoolS8Cl1Cip0)}, kOneLsb);
  pool(s8, true, true, -3, 7)
      .check({values<std::int8_t>(nhwc, kQLinearAveragePoolS8Cl1Cip1)}, kOneLsb);
}

TEST_CASE("MaxPool (opset 12) on uint8 and int8 matches ONNX Runtime exactly",
          "[graph/ops/qlinear_elementwise]") {
  auto pool = [](const inlay::Tensor& x) {
    return OpTester("MaxPool", 12)
        .in(x)
        .attr("kernel_shape", {3, 3})
        .attr("strides", {2, 2})
        .attr("pads", {1, 1, 1, 1});
  };
  pool(pattern<std::uint8_t>(Shape{1, 2, 5, 5}, 37, 11))
      .check({values<std::uint8_t>(Shape{1, 2, 3, 3}, kMaxPoolU8)}, kExact);
  pool(pattern<std::int8_t>(Shape{1, 2, 5, 5}, 37, 11))
      .check({values<std::int8_t>(Shape{1, 2, 3, 3}, kMaxPoolS8)}, kExact);
}

TEST_CASE("the QLinear ops name a bad scale or zero point", "[graph/ops/qlinear_elementwise]") {
  const auto x = pattern<std::uint8_t>(Shape{2, 3}, 37, 11);
  auto sigmoid = [&](const inlay::Tensor& sx, const inlay::Tensor& zx) {
    return ms_op("QLinearSigmoid")
        .in(x)
        .constant(sx)
        .constant(zx)
        .constant(scale(0.01f))
        .constant(zero<std::uint8_t>(0));
  };
  // Scales <= 0 or not finite, at load.
  sigmoid(scale(0), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "X_scale holds 0.000000");
  sigmoid(scale(-1), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "must be finite and > 0");
  sigmoid(scale(std::numeric_limits<float>::infinity()), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "X_scale holds inf");
  sigmoid(scale(std::numeric_limits<float>::quiet_NaN()), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "must be finite and > 0");
  // The wrong dtype or shape.
  sigmoid(make_tensor<double>(Shape{}, {0.5}), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::unsupported_op, "X_scale has dtype f64");
  sigmoid(scale(0.5f), make_tensor<std::int32_t>(Shape{}, {0}))
      .expect_load_error(ErrorKind::unsupported_op, "X_zero_point has dtype i32");
  sigmoid(f32s({0.5f, 0.25f}), zero<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "X_scale [2] must hold one element");
  sigmoid(scale(0.5f), make_tensor<std::uint8_t>(Shape{2}, {0, 0}))
      .expect_load_error(ErrorKind::invalid_model, "X_zero_point [2] must hold one element");
  // A zero point of int8 for uint8 data, and pairs of two dtypes.
  sigmoid(scale(0.5f), zero<std::int8_t>(0))
      .expect_load_error(ErrorKind::invalid_model,
                         "Y_zero_point has dtype u8 but X_zero_point has i8");
  ms_op("QLinearSigmoid")
      .in(x)
      .constant(scale(0.5f))
      .constant(zero<std::int8_t>(0))
      .constant(scale(0.5f))
      .constant(zero<std::int8_t>(0))
      .expect_run_error(ErrorKind::invalid_model, "X_zero_point has dtype i8 but X has u8");
  // Scales fed at run are checked at run; the message names the node.
  const std::string m = ms_op("QLinearAdd")
                            .in(x)
                            .in(scale(0.5f))
                            .in(zero<std::uint8_t>(0))
                            .in(x)
                            .in(scale(-2))
                            .in(zero<std::uint8_t>(0))
                            .in(scale(0.5f))
                            .in(zero<std::uint8_t>(0))
                            .run_error(ErrorKind::invalid_model);
  CHECK_THAT(m, Catch::Matchers::Contains("B_scale holds -2.000000"));
  CHECK_THAT(m, Catch::Matchers::Contains("com.microsoft:QLinearAdd"));
  // Float data, shapes that do not broadcast, inputs that do not fit QLinearConcat.
  ms_op("QLinearLeakyRelu")
      .in(f32s({1, 2}))
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .expect_run_error(ErrorKind::unsupported_op, "X has dtype f32; uint8 or int8 expected");
  ms_op("QLinearMul")
      .in(x)
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .in(pattern<std::uint8_t>(Shape{4}, 1, 0))
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .expect_run_error(ErrorKind::shape_mismatch, "do not broadcast");
  ms_op("QLinearConcat")
      .attr("axis", std::int64_t{0})
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .in(x)
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .in(pattern<std::uint8_t>(Shape{2, 4}, 1, 0))
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .expect_run_error(ErrorKind::shape_mismatch, "X1 [2, 4] and X0 [2, 3] differ outside axis 0");
  ms_op("QLinearConcat")
      .attr("axis", std::int64_t{0})
      .constant(scale(0.5f))
      .constant(zero<std::uint8_t>(0))
      .in(x)
      .constant(scale(0.5f))
      .expect_load_error(ErrorKind::invalid_model,
                         "needs Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input");
}
