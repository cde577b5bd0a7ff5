// The text-format lexer (spec 6.2): tokens, white space, comments, annotations, strings.
#include "text/lexer.h"

#include <optional>

namespace strata::text {

namespace {

// spec 6.2.2: the characters that may form keywords, numbers, ids and reserved tokens.
bool isIdChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '\\':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Characters that the 3.0 grammar folds into reserved tokens although they are not idchars
// (a `;` only where it does not start a comment).
bool isReservedChar(char c) { return c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode scalar values only: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is malformed.
size_t utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return i + k < s.size() ? uint8_t(s[i + k]) : 0; };
  auto cont = [&](size_t k) { return (b(k) & 0xc0) == 0x80; };
  uint8_t c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {}

  Result<std::string> decode() { return string(nullptr); }

  Result<TokenList> run() {
    TokenList list;
    list.source = s_;
    std::vector<uint32_t> open;  // indices of unmatched LParen tokens
    for (;;) {
      STRATA_CHECK(skipSpace());
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '(' && peek(1) == '@') {
        STRATA_CHECK(skipAnnotation());
        continue;
      }
      if (c == '(' || c == ')') {
        Token t{c == '(' ? TokenKind::LParen : TokenKind::RParen, uint32_t(i_), 1, 0};
        ++i_;
        // Unbalanced parentheses are left for the parser to report where it meets them, as
        // the spec suite expects errors in source order.
        if (t.kind == TokenKind::LParen) {
          open.push_back(uint32_t(list.tokens.size()));
        } else if (!open.empty()) {
          list.tokens[open.back()].match = uint32_t(list.tokens.size());
          open.pop_back();
        }
        list.tokens.push_back(t);
        continue;
      }
      list.tokens.push_back(STRATA_TRY(atom()));
    }
    for (uint32_t i : open) list.tokens[i].match = uint32_t(list.tokens.size());  // unclosed: up to Eof
    list.tokens.push_back(Token{TokenKind::Eof, uint32_t(s_.size()), 0, 0});
    return list;
  }

 private:
  char peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  // White space and comments (spec 6.2.4); comments may hold any well-formed UTF-8.
  Result<void> skipSpace() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == ';' && peek(1) == ';') {
        // spec 6.2.4: a line comment ends at a newline, which may be LF, CR or CR LF.
        while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') STRATA_CHECK(commentChar());
      } else if (c == '(' && peek(1) == ';') {
        STRATA_CHECK(blockComment());
      } else {
        break;
      }
    }
    return {};
  }

  Result<void> commentChar() {
    size_t n = utf8Length(s_, i_);
    if (n == 0) return malformed(i_, "malformed UTF-8 encoding");
    i_ += n;
    return {};
  }

  Result<void> blockComment() {
    size_t start = i_;
    i_ += 2;
    unsigned depth = 1;
    while (depth > 0) {
      if (i_ >= s_.size()) return malformed(start, "unclosed comment");
      if (s_[i_] == '(' && peek(1) == ';') {
        ++depth;
        i_ += 2;
      } else if (s_[i_] == ';' && peek(1) == ')') {
        --depth;
        i_ += 2;
      } else {
        STRATA_CHECK(commentChar());
      }
    }
    return {};
  }

  // Annotations (spec 6.2.5, annotations proposal): `(@id ...)` with balanced contents, which
  // must themselves lex; the whole annotation is dropped.
  Result<void> skipAnnotation() {
    size_t start = i_;
    i_ += 2;
    if (peek(0) == '"') {
      size_t at = i_;
      std::string name = STRATA_TRY(string("empty annotation id"));
      if (name.empty()) return malformed(at, "empty annotation id");
      if (utf8Invalid(name)) return malformed(at, "malformed UTF-8 encoding");
    } else {
      size_t id_start = i_;
      while (i_ < s_.size() && isIdChar(s_[i_])) ++i_;
      if (i_ == id_start) return malformed(start, "empty annotation id");
    }
    unsigned depth = 1;
    while (depth > 0) {
      auto r = skipSpace();
      if (!r) return r;
      if (i_ >= s_.size()) return malformed(start, "unclosed annotation");
      char c = s_[i_];
      if (c == '(') {  // nested `(@...` needs no id inside an annotation
        ++depth;
        ++i_;
      } else if (c == ')') {
        --depth;
        ++i_;
      } else {
        STRATA_CHECK(atom());
      }
    }
    return {};
  }

  static bool utf8Invalid(std::string_view s) {
    for (size_t k = 0; k < s.size();) {
      size_t n = utf8Length(s, k);
      if (n == 0) return true;
      k += n;
    }
    return false;
  }

  // A string (spec 6.3.3), returned decoded. As the name of an id or annotation, a string
  // that does not lex means the name is missing, which the spec suite words as `name_error`
  // ("empty identifier", "empty annotation id").
  Result<std::string> string(const char* name_error) {
    size_t start = i_;
    auto fail = [&](size_t at, const char* msg) {
      return malformed(name_error ? start - 1 : at, name_error ? name_error : msg);
    };
    std::string out;
    ++i_;
    for (;;) {
      if (i_ >= s_.size()) return fail(start, "unclosed string");
      uint8_t c = uint8_t(s_[i_]);
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c < 0x20 || c == 0x7f) return fail(start, "unclosed string");
      if (c != '\\') {
        size_t n = utf8Length(s_, i_);
        if (n == 0) return fail(i_, "malformed UTF-8 encoding");
        out.append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      if (!escape(out)) return fail(i_, "illegal escape");
    }
  }

  // One escape sequence at s_[i_] == '\\'; false if malformed.
  bool escape(std::string& out) {
    char e = peek(1);
    i_ += 2;
    switch (e) {
      case 't': out += '\t'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case '"': out += '"'; return true;
      case '\'': out += '\''; return true;
      case '\\': out += '\\'; return true;
      case 'u': return unicodeEscape(out);
      default: {
        int hi = hexValue(e), lo = hexValue(peek(0));
        if (hi < 0 || lo < 0) return false;
        ++i_;
        out += char(hi * 16 + lo);
        return true;
      }
    }
  }

  // `\u{hexnum}`: a Unicode scalar value, encoded as UTF-8 (spec 6.3.3).
  bool unicodeEscape(std::string& out) {
    if (peek(0) != '{') return false;
    ++i_;
    uint64_t cp = 0;
    bool any = false, last_digit = false;
    while (i_ < s_.size() && s_[i_] != '}') {
      char c = s_[i_];
      if (c == '_' && last_digit) {
        last_digit = false;
      } else {
        int v = hexValue(c);
        if (v < 0) return false;
        cp = cp * 16 + uint64_t(v);
        if (cp > 0x10ffff) return false;
        any = last_digit = true;
      }
      ++i_;
    }
    if (!any || !last_digit || i_ >= s_.size()) return false;
    ++i_;
    if (cp >= 0xd800 && cp < 0xe000) return false;
    appendUtf8(out, uint32_t(cp));
    return true;
  }

  // A maximal run of idchars and strings (spec 6.2.2), classified.
  Result<Token> atom() {
    size_t start = i_;
    unsigned strings = 0, others = 0;
    bool first_is_string = s_[i_] == '"';
    bool dollar = s_[i_] == '$';
    bool dollar_then_string = dollar && peek(1) == '"';
    std::string last_string;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        if (dollar && i_ == start + 1) {
          last_string = STRATA_TRY(string("empty identifier"));
        } else {
          last_string = STRATA_TRY(string(nullptr));
        }
        ++strings;
      } else if (c == ';' && peek(1) == ';') {
        break;
      } else if (isIdChar(c) || isReservedChar(c)) {
        ++i_;
        ++others;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') {
        break;
      } else {
        size_t n = utf8Length(s_, i_);
        return malformed(i_, n == 0 ? "malformed UTF-8 encoding" : "illegal character");
      }
    }
    Token t{TokenKind::Reserved, uint32_t(start), uint32_t(i_ - start), 0};
    std::string_view text = s_.substr(start, i_ - start);
    if (first_is_string && strings == 1 && others == 0) {
      t.kind = TokenKind::String;
    } else if (dollar) {
      if (text.size() == 1) return malformed(start, "empty identifier");
      if (dollar_then_string && strings == 1 && others == 1) {
        if (last_string.empty()) return malformed(start, "empty identifier");
        if (utf8Invalid(last_string)) return malformed(start, "malformed UTF-8 encoding");
        t.kind = TokenKind::Id;
      } else if (strings == 0 && !hasReservedChar(text)) {
        t.kind = TokenKind::Id;
      }
    } else if (strings == 0 && !hasReservedChar(text)) {
      char c = text[0];
      if (c >= 'a' && c <= 'z') t.kind = TokenKind::Keyword;
      else if ((c >= '0' && c <= '9') || c == '+' || c == '-') t.kind = TokenKind::Number;
    }
    return t;
  }

  static bool hasReservedChar(std::string_view text) {
    for (char c : text)
      if (isReservedChar(c)) return true;
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<TokenList> tokenize(std::string_view source) {
  if (source.size() >= UINT32_MAX) return malformed(0, "source too large");
  return Lexer(source).run();
}

std::string decodeString(std::string_view quoted) {
  // Re-lexing keeps one definition of the escapes; the token was checked when it was lexed.
  Lexer lexer(quoted);
  auto decoded = lexer.decode();
  return decoded ? std::move(*decoded) : std::string();
}

std::string idName(std::string_view id_token) {
  if (id_token.size() >= 2 && id_token[1] == '"') return decodeString(id_token.substr(1));
  return std::string(id_token.substr(1));
}

}  // namespace strata::text
