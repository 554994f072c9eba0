// Uses inlay; whether the implementation is linked is up to the test.
#include <inlay/inlay.hpp>

int main() { return inlay::available_cpu_targets().empty() ? 1 : 0; }
