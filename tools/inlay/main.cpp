// inlay: the command-line tool (CMake target inlay-cli). One file per command:
//   inlay info MODEL                                     info.hpp
//   inlay run MODEL -i FILE... [-o DIR|FILE...]          run.hpp
//   inlay check DIR | --suite ROOT                       check.hpp
//   inlay bench MODEL [--threads N] [--runs N] [--json]  bench.hpp
//   inlay quantize MODEL -o OUT --calibrate DIR...       quantize.hpp
//   inlay drift-reference MODEL -o FILE --data DIR...    drift_reference.hpp
//   inlay ops MODEL... | --list | --catalog               ops.hpp
//   inlay serve ARGS (runs inlay-serve)                  serve.hpp
// Exit code 0 on success; 1 on a failed check or any error, which prints one line on stderr.
#include <inlay/inlay.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "bench.hpp"
#include "check.hpp"
#include "drift_reference.hpp"
#include "info.hpp"
#include "ops.hpp"
#include "quantize.hpp"
#include "run.hpp"
#include "serve.hpp"
#include "text.hpp"

namespace {

const char* const usage =
    "usage: inlay COMMAND ...\n"
    "  inlay info MODEL [--device cuda:0]\n"
    "      inputs, outputs, opsets, op counts, parameters, nodes, arena size;\n"
    "      --device: where each node runs on that device (a build with INLAY_WITH_CUDA)\n"
    "  inlay run MODEL -i FILE... [-o DIR [--npy] | -o FILE...] [--threads N]\n"
    "      runs once; inputs .pb (TensorProto) or .npy, by position or as NAME=FILE;\n"
    "      writes DIR/output_<i>.pb (.npy with --npy), or each -o FILE in its extension's format;\n"
    "      without -o prints each output (type, first values, top-5 of a score vector)\n"
    "  inlay check DIR [--rtol R] [--atol A]\n"
    "      DIR: model.onnx + test_data_set_*/input_*.pb, output_*.pb (meta.json may set\n"
    "      rtol/atol; defaults 1e-3 / 1e-5)\n"
    "  inlay check --suite ROOT [--rtol R] [--atol A] [--expect-passed FILE]\n"
    "              [--passed-list FILE] [--json] [--timeout S] [--no-fork] [-v]\n"
    "      every case below ROOT; ends with 'N passed, N failed, N skipped'\n"
    "  inlay bench MODEL [-i FILE...] [--threads N] [--runs N] [--warmup N] [--json]\n"
    "      median, p10, p90 ms of Session::run (inputs: ones of the declared shapes)\n"
    "  inlay quantize MODEL -o OUT.onnx --calibrate DIR... [--method minmax|percentile|entropy]\n"
    "                 [--percentile P] [--dynamic] [--reduce-range] [--activations u8|s8]\n"
    "                 [--exclude NODE,...]\n"
    "      writes an 8-bit QDQ model (per-channel int8 weights, calibrated u8/s8 activations;\n"
    "      --dynamic: DynamicQuantizeLinear + MatMulInteger; --reduce-range: 7-bit weights)\n"
    "      and prints ranges, scales, the\n"
    "      error against the float model on the calibration inputs and the sizes;\n"
    "      DIR: input_0.pb ... or input_0.npy ...\n"
    "  inlay drift-reference MODEL -o FILE --data DIR... [--bins N]\n"
    "      records the inputs' distribution for inlay-serve's drift gauges: per feature of each\n"
    "      f32 input, N quantile bins (default 10) and the data's fraction in each\n"
    "  inlay ops MODEL... [--families] | --list | --catalog\n"
    "      the op families the models need (subgraphs, functions and fusions included), as\n"
    "      the defines and the inlay_add_implementation(... OPS ...) line of a selective build;\n"
    "      --list: every family of this build and its ops\n"
    "  inlay serve --model-repository DIR [--http-port N] ...\n"
    "      runs the model server inlay-serve (KServe v2 REST, metrics, batching);\n"
    "      inlay serve --help lists its options\n"
    "  inlay help | --version\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) inlay_cli::usage_error("no command (inlay help lists them)");
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "help" || command == "--help" || command == "-h") {
      std::printf("%s", usage);
      return 0;
    }
    if (command == "--version" || command == "version") {
      std::printf("inlay %s\n", INLAY_VERSION_STRING);
      return 0;
    }
    if (command == "info") return inlay_cli::info_command(args);
    if (command == "run") return inlay_cli::run_command(args);
    if (command == "check") return inlay_cli::check_command(args);
    if (command == "bench") return inlay_cli::bench_command(args);
    if (command == "quantize") return inlay_cli::quantize_command(args);
    if (command == "drift-reference") return inlay_cli::drift_reference_command(args);
    if (command == "ops") return inlay_cli::ops_command(args);
    if (command == "serve") return inlay_cli::serve_command(args);
    inlay_cli::usage_error("unknown command '" + command + "' (inlay help lists them)");
  } catch (const inlay_cli::UsageError& e) {
    std::fprintf(stderr, "inlay: %s\n", inlay_cli::one_line(e.what()).c_str());
  } catch (const std::exception& e) {  // inlay::Error and the standard library's
    std::fprintf(stderr, "inlay: %s\n", inlay_cli::one_line(e.what()).c_str());
  } catch (...) { std::fprintf(stderr, "inlay: unknown error\n"); }
  return 1;
}
