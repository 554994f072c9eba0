// The implementation unit of the consumers built with plain compiler commands.
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>
