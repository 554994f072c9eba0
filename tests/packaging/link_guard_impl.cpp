#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>
