// Token cursor helpers: expectations, names, numbers and the spec suite's error wording.
#include "text/cursor.h"

#include <array>
#include <unordered_set>

#include <fmt/core.h>

#include "ir/opcodes.h"
#include "support/byte_reader.h"

namespace strata::text {

namespace {

// Keywords of the module and script grammars that are not instruction names (spec 6.4-6.6,
// interpreter/README script syntax).
constexpr std::string_view kSyntaxKeywords[] = {
    "module", "func", "param", "result", "local", "type", "rec", "sub", "final", "struct", "array",
    "field", "mut", "import", "export", "table", "memory", "global", "elem", "data", "start", "offset",
    "item", "declare", "then", "else", "end", "do", "catch", "catch_ref", "catch_all", "catch_all_ref",
    "delegate", "tag", "ref", "null", "shared", "pagesize", "definition", "instance", "binary", "quote",
    "register", "invoke", "get", "either", "script", "input", "output", "thread", "wait",
    "assert_return", "assert_trap", "assert_exhaustion", "assert_exception", "assert_invalid",
    "assert_malformed", "assert_unlinkable", "assert_uninstantiable", "nan:canonical", "nan:arithmetic",
    "inf", "nan", "i8", "i16", "i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2",
    "f32x4", "f64x2", "funcref", "externref", "anyref", "eqref", "i31ref", "structref", "arrayref",
    "nullref", "nullfuncref", "nullexternref", "exnref", "nullexnref", "extern", "any", "eq", "i31",
    "none", "nofunc", "noextern", "exn", "noexn", "ref.extern", "ref.host", "ref.struct", "ref.array",
    "ref.i31", "ref.eq", "ref.any", "ref.exn",
};

}  // namespace

bool isPseudoKeyword(std::string_view kw) {
  return kw == "select_t" || kw == "ref.test_null" || kw == "ref.cast_null";
}

bool isKnownKeyword(std::string_view kw) {
  static const std::unordered_set<std::string_view> known(std::begin(kSyntaxKeywords), std::end(kSyntaxKeywords));
  if (known.count(kw) || (ir::opcodeFromText(kw) && !isPseudoKeyword(kw))) return true;
  return kw.starts_with("offset=") || kw.starts_with("align=") || kw.starts_with("nan:0x");
}

Result<void> Cursor::expectLParen() {
  if (!atLParen()) return unexpected();
  next();
  return {};
}

Result<void> Cursor::expectRParen() {
  if (!atRParen()) return unexpected();
  next();
  return {};
}

Result<void> Cursor::expectKeyword(std::string_view kw) {
  if (!atKeyword(kw)) return unexpected();
  next();
  return {};
}

Result<void> Cursor::expectField(std::string_view kw) {
  if (!atField(kw)) return atLParen() ? malformed(peek(1).offset, "unexpected token") : unexpected();
  pos_ += 2;
  return {};
}

std::unexpected<Error> Cursor::unexpected() const {
  const Token& t = peek();
  if (t.kind == TokenKind::Reserved || (t.kind == TokenKind::Keyword && !isKnownKeyword(text(t))))
    return failAt(t, fmt::format("unknown operator {}", text(t)));
  if (t.kind == TokenKind::Eof) return failAt(t, "unexpected end");
  return failAt(t, "unexpected token");
}

std::optional<std::string> Cursor::takeId() {
  if (!atId()) return std::nullopt;
  return idName(text(next()));
}

Result<std::string> Cursor::takeString() {
  if (!atString()) return unexpected();
  return decodeString(text(next()));
}

Result<std::string> Cursor::takeName() {
  const Token& t = peek();
  std::string s = STRATA_TRY(takeString());
  if (!isValidUtf8(s)) return failAt(t, "malformed UTF-8 encoding");
  return s;
}

Result<std::string> Cursor::takeStrings() {
  std::string out;
  while (atString()) out += decodeString(text(next()));
  return out;
}

std::unexpected<Error> Cursor::numberError(NumError e, const Token& t) const {
  if (e == NumError::Range) return failAt(t, "constant out of range");
  if (t.kind == TokenKind::Number) return failAt(t, fmt::format("unknown operator {}", text(t)));
  if (t.kind == TokenKind::Reserved || t.kind == TokenKind::Keyword) return unexpected();
  return failAt(t, "unexpected token");
}

Result<uint64_t> Cursor::takeNat(uint64_t max) {
  const Token& t = peek();
  uint64_t v = 0;
  NumError e = t.kind == TokenKind::Number ? parseNat(text(t), max, v) : NumError::Syntax;
  if (e != NumError::None) return numberError(e, t);
  next();
  return v;
}

Result<uint64_t> Cursor::takeInt(unsigned bits) {
  const Token& t = peek();
  uint64_t v = 0;
  NumError e = t.kind == TokenKind::Number ? parseInt(text(t), bits, v) : NumError::Syntax;
  if (e != NumError::None) return numberError(e, t);
  next();
  return v;
}

template <class U>
Result<U> Cursor::takeFloat(NumError (*parse)(std::string_view, U&)) {
  const Token& t = peek();
  U v = 0;
  bool numeric = t.kind == TokenKind::Number || t.kind == TokenKind::Keyword;  // inf, nan, nan:0x..
  NumError e = numeric ? parse(text(t), v) : NumError::Syntax;
  if (e != NumError::None) return numberError(e, t);
  next();
  return v;
}

Result<uint32_t> Cursor::takeF32() { return takeFloat<uint32_t>(parseF32); }

Result<uint64_t> Cursor::takeF64() { return takeFloat<uint64_t>(parseF64); }

}  // namespace strata::text
