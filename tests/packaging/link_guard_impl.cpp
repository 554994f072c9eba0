// An implementation unit with no op family (a selective build of nothing): the link guard is the
// same in every build, and this unit compiles in a fraction of a full one's time.
#define INLAY_OPS_ONLY
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>
