// Runs one module on one tier the way the differential fuzzer needs: every import satisfied by
// a deterministic host function, every export called with arguments derived from the seed,
// fuel and a wall-clock watchdog so no call can hang, and the end state recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "diff/record.h"

namespace strata::difftest {

struct RunOptions {
  uint64_t seed = 1;
  uint32_t rounds = 2;  // calls per export (--calls)
  uint64_t fuel = 50'000'000;  // per harness call
  std::chrono::milliseconds timeout{10'000};  // per harness call, through epoch interruption
  bool text = false;    // the module is .wat
  bool perturb = false; // testing the tester: flips bit 0 of every i32 argument on this tier
  bool canonicalize_nans = false;  // Config::nan_canonicalization on every tier
  // Harness calls from this index on are not made: where the reference tier's record was cut,
  // nothing later is compared, and a tier without working fuel or epochs would hang there.
  std::optional<uint32_t> stop_before;
};

// Compile and link errors are recorded in the TierRecord; the error is for an engine that
// cannot be created (e.g. "unknown tier").
Result<TierRecord> runTier(const std::string& tier, std::span<const uint8_t> module, const RunOptions& options);

// The engine configuration every tier runs with (fuel and epoch interruption on).
Config configFor(const std::string& tier, bool fuel, bool canonicalize_nans = false);

}  // namespace strata::difftest
