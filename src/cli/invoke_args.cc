// Arguments and results of `strata run --invoke`, parsed with the text format's literal rules.
#include "cli/invoke_args.h"

#include <fmt/core.h>

#include "text/numbers.h"

namespace strata::cli {

namespace {

Result<Val> parseArg(ValType t, const std::string& s, size_t index) {
  auto bad = [&](const char* what) {
    return makeError(ErrorKind::Usage, kNoOffset, fmt::format("argument {} (\"{}\"): {}", index + 1, s, what));
  };
  uint64_t bits = 0;
  uint32_t bits32 = 0;
  switch (t.kind) {
    case ir::ValKind::I32:
      if (text::parseInt(s, 32, bits) != text::NumError::None) return bad("not an i32");
      return Val::i32(int32_t(uint32_t(bits)));
    case ir::ValKind::I64:
      if (text::parseInt(s, 64, bits) != text::NumError::None) return bad("not an i64");
      return Val::i64(int64_t(bits));
    case ir::ValKind::F32:
      // A leading '+' is allowed by the text format; so are inf and nan without a sign.
      if (text::parseF32(s, bits32) != text::NumError::None) return bad("not an f32");
      return Val::f32Bits(bits32);
    case ir::ValKind::F64:
      if (text::parseF64(s, bits) != text::NumError::None) return bad("not an f64");
      return Val::f64Bits(bits);
    default: break;
  }
  return bad(fmt::format("a {} parameter cannot be given on the command line", ir::toString(t)).c_str());
}

}  // namespace

Result<std::vector<Val>> parseInvokeArgs(const FuncType& type, const std::vector<std::string>& args) {
  if (args.size() != type.params.size())
    return makeError(ErrorKind::Usage, kNoOffset,
                     fmt::format("expected {} arguments, got {}", type.params.size(), args.size()));
  std::vector<Val> vals;
  for (size_t i = 0; i < args.size(); ++i) vals.push_back(STRATA_TRY(parseArg(type.params[i], args[i], i)));
  return vals;
}

std::string formatResult(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::I32: return fmt::format("{}", v.i32());
    case Val::Kind::I64: return fmt::format("{}", v.i64());
    case Val::Kind::F32: return fmt::format("{}", v.f32());
    case Val::Kind::F64: return fmt::format("{}", v.f64());
    case Val::Kind::V128: {
      auto b = v.v128();
      std::string out = "0x";
      for (int i = 15; i >= 0; --i) out += fmt::format("{:02x}", b[size_t(i)]);
      return out;
    }
    default: break;
  }
  if (v.isNull()) return "null";
  switch (v.kind()) {
    case Val::Kind::FuncRef: return "funcref";
    case Val::Kind::ExternRef:
      if (v.externref().isInt()) return fmt::format("externref {}", v.externref().toInt());
      return "externref";
    case Val::Kind::ExnRef: return "exnref";
    default: return "anyref";
  }
}

}  // namespace strata::cli
