// Entry points of the text stage: parseWat and source locations.
#include "text/text.h"

#include <fmt/core.h>

#include "text/module_parser.h"

namespace strata::text {

std::string Location::str() const { return fmt::format("{}:{}:{}", file, line, column); }

namespace {

Result<ir::Module> parseModuleAt(const TokenList& tokens, size_t& pos, const ir::Features& features) {
  Cursor c(tokens, pos);
  size_t end = c.afterForm() - 1;
  // An unclosed `(module` runs to the end of the input; the fields parse, the `)` is missing.
  if (tokens.tokens[end].kind != TokenKind::RParen) return malformed(tokens.tokens[end].offset, "unexpected end");
  c.seek(pos + 2);  // `(` `module`
  std::optional<std::string> id = c.takeId();
  ModuleParser parser(tokens, c.pos(), features);
  ir::Module m = STRATA_TRY(parser.parseFields(end, std::move(id)));
  pos = end + 1;
  return m;
}

}  // namespace

Result<ir::Module> parseWat(std::string_view text, const ir::Features& features) {
  TokenList tokens = STRATA_TRY(tokenize(text));
  Cursor c(tokens, 0);
  if (c.atField("module")) {
    size_t pos = 0;
    ir::Module m = STRATA_TRY(parseModuleAt(tokens, pos, features));
    c.seek(pos);
    if (c.kind() != TokenKind::Eof) return c.unexpected();
    return m;
  }
  ModuleParser parser(tokens, 0, features);
  return parser.parseFields(tokens.tokens.size() - 1, std::nullopt);
}

}  // namespace strata::text
