// Tests for the lexer: token kinds, comments, annotations, strings and ids (spec 6.2, 6.3).
#include "text/lexer.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata::text {
namespace {

std::vector<TokenKind> kinds(std::string_view src) {
  auto list = tokenize(src);
  EXPECT_TRUE(list) << src;
  std::vector<TokenKind> out;
  if (list)
    for (const Token& t : list->tokens) out.push_back(t.kind);
  return out;
}

std::string lexError(std::string_view src) {
  auto list = tokenize(src);
  return list ? "" : list.error().message;
}

using K = TokenKind;

TEST(Lexer, TokenKinds) {
  EXPECT_EQ(kinds("(module $m (func \"x\" 1 -2 +inf .5 0x))"),
            (std::vector<K>{K::LParen, K::Keyword, K::Id, K::LParen, K::Keyword, K::String, K::Number, K::Number,
                            K::Number, K::Reserved, K::Number, K::RParen, K::RParen, K::Eof}));
}

TEST(Lexer, ParenthesesAreMatched) {
  auto list = tokenize("(a (b) c)");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->tokens[0].match, 6u);  // ( a ( b ) c ) eof
  EXPECT_EQ(list->tokens[2].match, 4u);
}

TEST(Lexer, UnclosedParenMatchesEof) {
  auto list = tokenize("(a (b)");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->tokens[0].match, 5u);  // the Eof token
}

TEST(Lexer, CommentsNestAndDelimit) {
  EXPECT_EQ(kinds("(; a (; b ;) c ;)x;; tail\ny"), (std::vector<K>{K::Keyword, K::Keyword, K::Eof}));
  EXPECT_EQ(kinds("nop;;x"), (std::vector<K>{K::Keyword, K::Eof}));
  EXPECT_EQ(lexError("(; a (; b ;)"), "unclosed comment");
}

TEST(Lexer, LineCommentEndsAtAnyNewline) {
  // spec 6.2.4: newline is LF, CR or CR LF; a lone CR ends a line comment too.
  EXPECT_EQ(kinds(";; c\r(x)"), (std::vector<K>{K::LParen, K::Keyword, K::RParen, K::Eof}));
  EXPECT_EQ(kinds(";; c\r\n(x)"), (std::vector<K>{K::LParen, K::Keyword, K::RParen, K::Eof}));
  EXPECT_EQ(kinds(";; c (x)"), (std::vector<K>{K::Eof}));
}

TEST(Lexer, AnnotationsAreSkipped) {
  EXPECT_EQ(kinds("(@a (b \"c\" (@)) x) y"), (std::vector<K>{K::Keyword, K::Eof}));
  EXPECT_EQ(kinds("(@\"quoted id\" 1) y"), (std::vector<K>{K::Keyword, K::Eof}));
  EXPECT_EQ(lexError("(@)"), "empty annotation id");
  EXPECT_EQ(lexError("(@ x)"), "empty annotation id");
  EXPECT_EQ(lexError("(@x (y)"), "unclosed annotation");
}

TEST(Lexer, ReservedRunsOfStringsAndIdchars) {
  // spec 6.2.2 (3.0): a token is a maximal run; strings glued to other characters are reserved.
  EXPECT_EQ(kinds("\"a\"x"), (std::vector<K>{K::Reserved, K::Eof}));
  EXPECT_EQ(kinds("$l\"a\""), (std::vector<K>{K::Reserved, K::Eof}));
  EXPECT_EQ(kinds("a,b {x}"), (std::vector<K>{K::Reserved, K::Reserved, K::Eof}));
}

TEST(Lexer, Identifiers) {
  auto list = tokenize("$x $\"a b\" $l$l");
  ASSERT_TRUE(list);
  EXPECT_EQ(idName(list->text(list->tokens[0])), "x");
  EXPECT_EQ(idName(list->text(list->tokens[1])), "a b");
  EXPECT_EQ(idName(list->text(list->tokens[2])), "l$l");
  EXPECT_EQ(lexError("$"), "empty identifier");
  EXPECT_EQ(lexError("$\"\""), "empty identifier");
  EXPECT_EQ(lexError("$\"\\ef\""), "malformed UTF-8 encoding");
}

TEST(Lexer, StringEscapes) {
  EXPECT_EQ(decodeString("\"a\\t\\n\\r\\\"\\'\\\\\""), "a\t\n\r\"'\\");
  EXPECT_EQ(decodeString("\"\\00\\ff\""), std::string("\x00\xff", 2));
  EXPECT_EQ(decodeString("\"\\u{41}\\u{e9}\\u{1_F600}\""), "A\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(decodeString("\"h\xc3\xa9\""), "h\xc3\xa9");
}

TEST(Lexer, StringErrors) {
  EXPECT_EQ(lexError("\"abc"), "unclosed string");
  EXPECT_EQ(lexError("\"a\nb\""), "unclosed string");
  EXPECT_EQ(lexError("\"\\q\""), "illegal escape");
  EXPECT_EQ(lexError("\"\\u{d800}\""), "illegal escape");  // surrogates are not scalar values
  EXPECT_EQ(lexError("\"\\u{110000}\""), "illegal escape");
  EXPECT_EQ(lexError("\"\xc0\x80\""), "malformed UTF-8 encoding");
}

TEST(Lexer, IllegalCharacters) {
  EXPECT_EQ(lexError("(func \x01)"), "illegal character");
  EXPECT_EQ(lexError("(func \x7f)"), "illegal character");
  EXPECT_EQ(lexError("h\xc3\xa9"), "illegal character");  // well-formed, but not an idchar
  EXPECT_EQ(lexError("\xff"), "malformed UTF-8 encoding");
  EXPECT_EQ(lexError(";; \xed\xa0\x80"), "malformed UTF-8 encoding");  // comments must be UTF-8 too
}

TEST(Lexer, OffsetsAreByteOffsets) {
  auto list = tokenize("  (nop)");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->tokens[1].offset, 3u);
  EXPECT_EQ(list->tokens[1].size, 3u);
  auto bad = tokenize("nop \"x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 4u);
}

}  // namespace
}  // namespace strata::text
