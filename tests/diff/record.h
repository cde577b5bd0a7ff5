// What one tier did with a module (calls, host-log entries, final memories and globals), in a
// form two tiers can be compared by: values are snapshots, not references into a store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/strata.h"

namespace strata::difftest {

// A value as it can be compared across stores. References keep only what is comparable:
// null or not, and an externref's host integer.
struct Value {
  Val::Kind kind = Val::Kind::I32;
  uint64_t lo = 0;  // numbers; v128 bytes 0-7; references: 0 null, 1 non-null, else the externref's raw bits
  uint64_t hi = 0;  // v128 bytes 8-15
};

Value snapshot(const Val& v);
std::string format(const Value& v);
std::string format(const std::vector<Value>& vs);

// Equality that ignores NaN payloads (the spec leaves them open, spec 4.3.3 "NaN propagation"):
// any NaN equals any NaN of the same type, v128 when one lane view (f32x4 or f64x2) makes
// every lane equal or a NaN on both sides. Everything else compares bit for bit.
bool sameValue(const Value& a, const Value& b, bool strict_nan);
bool sameValues(const std::vector<Value>& a, const std::vector<Value>& b, bool strict_nan);

// The first byte offset where two memories differ, other than inside a 4- or 8-byte window
// that holds a NaN on both sides (a float stored with another payload); nullopt when none.
std::optional<size_t> memoryDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, bool strict_nan);

// One thing that happened, in order: a call the harness made (export name, arguments, results
// or trap), or a host import called by the guest (import name and arguments).
struct Event {
  enum class Type : uint8_t { Instantiate, Call, Host };
  Type type = Type::Call;
  uint32_t call = 0;  // index of the harness call during which it happened
  std::string name;
  std::vector<Value> args;
  std::vector<Value> results;
  std::optional<Trap> trap;
  bool pre = false;  // a call the harness makes before each export call (hangLimitInitializer)
};

std::string format(const Event& e, bool frames);

// The end state and history of one tier.
struct TierRecord {
  std::string tier;
  std::string note;           // e.g. "no fuel support: epoch watchdog only"
  // The tier whose code ran: a tier may hand a module it cannot compile yet to another one
  // (baseline falls back to interp), and then the comparison says nothing about it.
  std::string ran_by;
  std::string fallback_why;  // when ran_by differs, the tier's own reason if it gives one
  std::string compile_error;  // non-empty: the module did not compile
  std::string link_error;     // non-empty: instantiation failed other than by a trap
  std::vector<Event> events;
  // The first harness call that ended in a trap whose place depends on the tier (fuel, epoch
  // interrupt, stack exhaustion): the tier stopped there and later state is not comparable.
  std::optional<uint32_t> cut;
  std::string cut_why;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> memories;  // exported, by name
  std::vector<std::pair<std::string, Value>> globals;                  // exported, by name
};

// Whether a trap's place (and the state before it) may differ between correct tiers.
bool tierDependent(const Trap& t);

struct CompareOptions {
  bool strict_nan = false;
  bool frames = false;  // also compare trap backtraces (function index and byte offset)
};

struct Comparison {
  bool equal = true;
  std::string difference;   // the first one, readable
  uint32_t calls = 0;       // export calls compared (not counting the calls made before each)
  uint32_t events = 0;      // events compared
  std::optional<uint32_t> cut;  // calls from here on were not compared
  std::string cut_why;
};

Comparison compare(const TierRecord& ref, const TierRecord& other, const CompareOptions& options);

}  // namespace strata::difftest
