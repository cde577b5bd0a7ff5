// A cursor over the token list with the helpers every text parser needs (module and script).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support/error.h"
#include "text/lexer.h"
#include "text/numbers.h"

namespace strata::text {

class Cursor {
 public:
  Cursor(const TokenList& tokens, size_t pos) : toks_(&tokens), pos_(pos) {}

  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < toks_->tokens.size() ? toks_->tokens[i] : toks_->tokens.back();
  }
  TokenKind kind(size_t k = 0) const { return peek(k).kind; }
  // The token before the cursor (the first token at the start).
  const Token& prev() const { return toks_->tokens[pos_ ? pos_ - 1 : 0]; }
  std::string_view text(size_t k = 0) const { return toks_->text(peek(k)); }
  std::string_view text(const Token& t) const { return toks_->text(t); }
  std::string_view source() const { return toks_->source; }
  const Token& next() {
    const Token& t = peek();
    if (t.kind != TokenKind::Eof) ++pos_;
    return t;
  }

  bool atLParen() const { return kind() == TokenKind::LParen; }
  bool atRParen() const { return kind() == TokenKind::RParen; }
  bool atKeyword(std::string_view kw, size_t k = 0) const {
    return kind(k) == TokenKind::Keyword && text(k) == kw;
  }
  // `(` followed by keyword `kw`.
  bool atField(std::string_view kw) const { return atLParen() && atKeyword(kw, 1); }
  bool atId() const { return kind() == TokenKind::Id; }
  bool atString() const { return kind() == TokenKind::String; }
  bool atNumber() const { return kind() == TokenKind::Number; }
  // The float literals spelled as keywords (spec 6.3.2): inf, nan, nan:0x... (signed ones lex as
  // numbers).
  bool atFloatWord(size_t k = 0) const {
    return kind(k) == TokenKind::Keyword && (text(k) == "inf" || text(k) == "nan" || text(k).starts_with("nan:"));
  }

  // Index of the token just past the parenthesised form that starts at the cursor (or just
  // past the token there, if it is not a `(`).
  size_t afterForm() const { return atLParen() ? peek().match + 1 : pos_ + 1; }
  void skipForm() { pos_ = afterForm(); }

  Result<void> expectLParen();
  Result<void> expectRParen();
  Result<void> expectKeyword(std::string_view kw);
  Result<void> expectField(std::string_view kw);  // `(` kw

  // The error for the token at the cursor when nothing else fits: "unknown operator" for
  // reserved tokens and unknown keywords (the spec suite's wording), "unexpected token" else.
  std::unexpected<Error> unexpected() const;
  std::unexpected<Error> failHere(std::string message) const { return malformed(peek().offset, std::move(message)); }
  std::unexpected<Error> failAt(const Token& t, std::string message) const { return malformed(t.offset, std::move(message)); }

  std::optional<std::string> takeId();           // `$name` -> "name" if present
  Result<std::string> takeString();              // decoded bytes
  Result<std::string> takeName();                // a string that must be UTF-8 (spec 6.3.4)
  Result<std::string> takeStrings();             // zero or more strings, concatenated

  // Numbers: `what` names the literal's kind in range errors ("i32" gives "i32 constant out of
  // range"); the spec suite checks only the "constant out of range" suffix or the prefix.
  Result<uint64_t> takeNat(uint64_t max);
  Result<uint32_t> takeU32() { return uint32_t(STRATA_TRY(takeNat(UINT32_MAX))); }
  Result<uint64_t> takeInt(unsigned bits);
  Result<uint32_t> takeF32();
  Result<uint64_t> takeF64();
  std::unexpected<Error> numberError(NumError e, const Token& t) const;

 protected:
  template <class U>
  Result<U> takeFloat(NumError (*parse)(std::string_view, U&));

  const TokenList* toks_;
  size_t pos_;
};

// Whether `kw` is a keyword the text or script grammar knows: such a keyword in the wrong
// place is an "unexpected token", any other is an "unknown operator".
bool isKnownKeyword(std::string_view kw);

// The opcode table's names for encodings that share a keyword in the text ("select_t",
// "ref.test_null", "ref.cast_null"): not keywords of the text format.
bool isPseudoKeyword(std::string_view kw);

}  // namespace strata::text
