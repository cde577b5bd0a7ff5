// The .wast script AST (spec interpreter's script format, test/core/README): modules, actions
// and assertions, each with its file:line:column. Produced by the script parser, consumed by
// the `strata wast` runner.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/module.h"

namespace strata::text {

struct Location {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string str() const;  // "file:line:column"
};

// A module as written in a script.
struct ScriptModule {
  enum class Form : uint8_t { Text, Binary, Quote } form = Form::Text;
  std::optional<std::string> id;  // `$name`, without the `$`
  bool is_definition = false;     // `(module definition ...)`: not instantiated when defined
  std::shared_ptr<ir::Module> module;  // Text form: the parsed module
  std::vector<uint8_t> binary;         // Binary form: the concatenated strings
  std::string quote;                   // Quote form: the concatenated strings, parsed when run
  Location loc;
};

// A constant value in an action's arguments or an expected result.
struct Value {
  enum class Kind : uint8_t {
    I32, I64, F32, F64, V128,
    RefNull,    // (ref.null ht): heap type in `heap`
    RefExtern,  // (ref.extern N) / (ref.host N): u32 in `bits`
    RefFunc,    // (ref.func) in results: any non-null funcref; with an index in arguments
    RefStruct, RefArray, RefI31, RefEq, RefAny, RefExn,  // results only: any ref of that kind
    RefNullAny,  // (ref.null) without a heap type in results: any null
    Either,      // (either v1 v2 ...): alternatives in `alternatives`
  } kind = Kind::I32;
  // Scalars: raw bits. F32/F64 patterns: nan_kind says canonical/arithmetic instead of bits.
  enum class Nan : uint8_t { None, Canonical, Arithmetic };
  uint64_t bits = 0;
  Nan nan = Nan::None;
  // V128: lane shape and, per lane, bits and NaN pattern (shape i8/i16/i32/i64/f32/f64).
  enum class Shape : uint8_t { I8, I16, I32, I64, F32, F64 } shape = Shape::I32;
  std::array<uint8_t, 16> v128{};
  std::array<Nan, 4> lane_nan{};  // for f32x4 (4 lanes) / f64x2 (2 lanes) patterns
  ir::HeapType heap{};
  bool has_index = false;  // RefExtern/RefFunc with an explicit number
  std::vector<Value> alternatives;
};

struct Action {
  enum class Kind : uint8_t { Invoke, Get } kind = Kind::Invoke;
  std::optional<std::string> module_id;  // `$name` of the target instance, without `$`
  std::string name;                      // export name (decoded string)
  std::vector<Value> args;
  Location loc;
};

struct Command {
  enum class Kind : uint8_t {
    Module,               // (module ...): define and (unless `definition`) instantiate
    ModuleInstance,       // (module instance $i $m)
    Register,             // (register "name" $id?)
    Action,               // bare (invoke ...) / (get ...)
    AssertReturn,
    AssertTrap,           // with an action, or a module (instantiation trap)
    AssertExhaustion,
    AssertException,
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
    Unsupported,          // a command this runner does not know (thread, wait, ...): counted as skipped
  } kind = Kind::Module;
  Location loc;
  std::optional<ScriptModule> module;       // Module, AssertTrap (module form), Assert{Invalid,Malformed,Unlinkable,Uninstantiable}
  std::optional<Action> action;             // Action and action-based assertions
  std::vector<Value> expected;              // AssertReturn results
  std::string message;                      // expected failure text
  std::string name;                         // Register: the name; ModuleInstance: instance id
  std::optional<std::string> module_id;     // Register: optional `$id`; ModuleInstance: the definition's id
};

struct Script {
  std::string file;
  std::vector<Command> commands;
};

}  // namespace strata::text
