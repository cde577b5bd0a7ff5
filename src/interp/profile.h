// Dispatch profile (build option STRATA_INTERP_PROFILE, off by default): counts every executed
// handler and every pair of consecutive handlers, and prints the hottest to stderr at exit.
// This is the measurement behind the superinstruction list (pairs.h) and the peepholes: a pair
// that runs often and passes a value through a frame slot is a candidate for one handler.
#pragma once

namespace strata::interp::profile {

// Called before every dispatch with the next handler's address (only in profiling builds).
void hit(const void* handler);

}  // namespace strata::interp::profile
