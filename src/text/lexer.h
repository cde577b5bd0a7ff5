// Tokens of the text format (spec 6.2): the lexer turns source text into a flat token list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace strata::text {

enum class TokenKind : uint8_t {
  LParen,
  RParen,
  Keyword,   // starts with a lower-case letter: `i32.add`, `offset=4`, `nan:0x1`, `inf`
  Id,        // `$name` or `$"quoted name"`
  String,    // `"..."` with the quotes, escapes not yet decoded
  Number,    // starts with a digit or a sign: syntax checked when the parser converts it
  Reserved,  // any other run of idchars and strings (spec 6.2.2): always an error when used
  Eof,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  uint32_t offset = 0;  // byte offset of the first character in the source
  uint32_t size = 0;
  uint32_t match = 0;   // LParen: index of the matching RParen token, or of Eof if unclosed
};

struct TokenList {
  std::string_view source;
  std::vector<Token> tokens;  // always ends with an Eof token

  std::string_view text(const Token& t) const { return source.substr(t.offset, t.size); }
};

// Splits `source` into tokens, skipping white space, comments and annotations (`(@id ...)`).
// Errors (Malformed, offset in the source): "illegal character", "malformed UTF-8 encoding",
// "unclosed string", "unclosed comment", "unclosed annotation", "empty annotation id",
// "empty identifier", "illegal escape". Unbalanced parentheses are the parser's to report.
Result<TokenList> tokenize(std::string_view source);

// Decodes the escapes of a string token's text (quotes included), spec 6.3.3. The result is
// raw bytes; a lexed string token always decodes.
std::string decodeString(std::string_view quoted);

// The name an Id token stands for, without the `$` (quoted ids are decoded).
std::string idName(std::string_view id_token);

}  // namespace strata::text
