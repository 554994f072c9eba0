// The implementation translation unit, as inlay_add_implementation generates it.
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>
