// Built with -fno-exceptions: an inlay error goes to the handler set with set_error_handler
// (then the process would abort). The handler here prints the error and exits with 0; reaching
// the end of main is a failure.
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>

#include <cstdio>
#include <cstdlib>

static void handler(const inlay::Error& e) {
  std::printf("handled: kind=%s message=%s\n", inlay::to_string(e.kind()), e.what());
  std::fflush(stdout);
  std::_Exit(e.kind() == inlay::ErrorKind::invalid_argument ? 0 : 3);
}

int main() {
#ifndef INLAY_NO_EXCEPTIONS
  std::printf("INLAY_NO_EXCEPTIONS is not defined under -fno-exceptions\n");
  return 2;
#endif
  inlay::set_error_handler(&handler);
  inlay::Tensor t(inlay::DType::i32, {2, 2});
  t.data<float>();  // wrong dtype: reported, never returns
  std::printf("the error was not reported\n");
  return 1;
}
