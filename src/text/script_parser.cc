// The .wast script parser (spec interpreter's script format, test/core/README.md): modules in
// text, binary and quote form, actions, assertions and their expected values.
#include <algorithm>

#include "text/module_parser.h"
#include "text/text.h"

namespace strata::text {

namespace {

// Line starts of the source, for file:line:column of every command.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
    size_ = text.size();
  }
  Location at(uint64_t offset, const std::string& file) const {
    size_t off = std::min<uint64_t>(offset, size_);
    size_t line = size_t(std::upper_bound(starts_.begin(), starts_.end(), off) - starts_.begin());
    return Location{file, uint32_t(line), uint32_t(off - starts_[line - 1] + 1)};
  }

 private:
  std::vector<size_t> starts_;
  size_t size_ = 0;
};

bool isModuleField(std::string_view kw) {
  for (std::string_view f : {"type", "rec", "import", "func", "table", "memory", "global", "tag", "export",
                             "start", "elem", "data"})
    if (kw == f) return true;
  return false;
}

class ScriptParser : public Cursor {
 public:
  ScriptParser(const TokenList& tokens, std::string file, const ir::Features& features)
      : Cursor(tokens, 0), file_(std::move(file)), lines_(tokens.source), features_(features) {}

  Result<Script> run() {
    Script script;
    script.file = file_;
    if (atLParen() && kind(1) == TokenKind::Keyword && isModuleField(text(1))) {
      // A script that is only module fields is one inline module (spec script grammar).
      Command cmd;
      cmd.loc = loc(peek());
      ScriptModule sm;
      sm.loc = cmd.loc;
      ModuleParser parser(*toks_, 0, features_);
      sm.module = std::make_shared<ir::Module>(STRATA_TRY(parser.parseFields(toks_->tokens.size() - 1, std::nullopt)));
      cmd.module = std::move(sm);
      script.commands.push_back(std::move(cmd));
      return script;
    }
    while (kind() != TokenKind::Eof) script.commands.push_back(STRATA_TRY(command()));
    return script;
  }

 private:
  Location loc(const Token& t) const { return lines_.at(t.offset, file_); }

  Result<Command> command() {
    if (!atLParen() || kind(1) != TokenKind::Keyword) return unexpected();
    Command cmd;
    cmd.loc = loc(peek());
    std::string_view kw = text(1);
    using K = Command::Kind;
    if (kw == "module") {
      if (atKeyword("instance", 2)) return moduleInstance(std::move(cmd));
      cmd.kind = K::Module;
      cmd.module = STRATA_TRY(scriptModule(false));
      return cmd;
    }
    if (kw == "register") {
      pos_ += 2;
      cmd.kind = K::Register;
      cmd.name = STRATA_TRY(takeName());
      cmd.module_id = takeId();
      STRATA_CHECK(expectRParen());
      return cmd;
    }
    if (kw == "invoke" || kw == "get") {
      cmd.kind = K::Action;
      cmd.action = STRATA_TRY(action());
      return cmd;
    }
    static constexpr std::pair<std::string_view, K> kAsserts[] = {
        {"assert_return", K::AssertReturn},           {"assert_trap", K::AssertTrap},
        {"assert_exhaustion", K::AssertExhaustion},   {"assert_exception", K::AssertException},
        {"assert_invalid", K::AssertInvalid},         {"assert_malformed", K::AssertMalformed},
        {"assert_unlinkable", K::AssertUnlinkable},   {"assert_uninstantiable", K::AssertUninstantiable},
    };
    for (auto [name, k] : kAsserts)
      if (kw == name) return assertion(std::move(cmd), k);
    // thread, wait, assert_malformed_custom, ...: kept so that the runner can count them.
    cmd.kind = K::Unsupported;
    cmd.name = std::string(kw);
    skipForm();
    return cmd;
  }

  Result<Command> moduleInstance(Command cmd) {
    pos_ += 3;
    cmd.kind = Command::Kind::ModuleInstance;
    std::optional<std::string> first = takeId();
    std::optional<std::string> second = takeId();
    if (second) {
      cmd.name = first.value_or("");
      cmd.module_id = std::move(second);
    } else {
      cmd.module_id = std::move(first);
    }
    STRATA_CHECK(expectRParen());
    return cmd;
  }

  Result<Command> assertion(Command cmd, Command::Kind k) {
    using K = Command::Kind;
    pos_ += 2;
    cmd.kind = k;
    bool module_form = atField("module");
    if (module_form) {
      if (k != K::AssertTrap && k != K::AssertInvalid && k != K::AssertMalformed && k != K::AssertUnlinkable &&
          k != K::AssertUninstantiable)
        return unexpected();
      cmd.module = STRATA_TRY(scriptModule(k == K::AssertMalformed));
    } else {
      if (k != K::AssertReturn && k != K::AssertTrap && k != K::AssertExhaustion && k != K::AssertException)
        return unexpected();
      cmd.action = STRATA_TRY(action());
    }
    if (k == K::AssertReturn) {
      while (atLParen()) cmd.expected.push_back(STRATA_TRY(value()));
    } else if (k != K::AssertException) {
      cmd.message = STRATA_TRY(takeString());
    }
    STRATA_CHECK(expectRParen());
    return cmd;
  }

  // (module definition? $id? (binary "..."* | quote "..."* | field*)). In assert_malformed a
  // text module is kept as quoted text: it is expected not to parse.
  Result<ScriptModule> scriptModule(bool keep_text_as_quote) {
    ScriptModule sm;
    sm.loc = loc(peek());
    size_t end = afterForm() - 1;
    // An unclosed `(module` runs to the end of the input: report the missing `)` there.
    if (peek(end - pos_).kind != TokenKind::RParen) return malformed(peek(end - pos_).offset, "unexpected end");
    pos_ += 2;
    if (atKeyword("definition")) {
      next();
      sm.is_definition = true;
    }
    sm.id = takeId();
    if (atKeyword("binary") || atKeyword("quote")) {
      bool binary = atKeyword("binary");
      next();
      std::string bytes = STRATA_TRY(takeStrings());
      if (binary) {
        sm.form = ScriptModule::Form::Binary;
        sm.binary.assign(bytes.begin(), bytes.end());
      } else {
        sm.form = ScriptModule::Form::Quote;
        sm.quote = std::move(bytes);
      }
      STRATA_CHECK(expectRParen());
      return sm;
    }
    if (keep_text_as_quote) {
      sm.form = ScriptModule::Form::Quote;
      size_t from = peek().offset, to = toks_->tokens[end].offset;
      sm.quote = std::string(source().substr(from, to - from));
      seek(end + 1);
      return sm;
    }
    ModuleParser parser(*toks_, pos(), features_);
    sm.module = std::make_shared<ir::Module>(STRATA_TRY(parser.parseFields(end, sm.id)));
    seek(end + 1);
    return sm;
  }

  Result<Action> action() {
    Action a;
    a.loc = loc(peek());
    if (atField("invoke")) {
      a.kind = Action::Kind::Invoke;
    } else if (atField("get")) {
      a.kind = Action::Kind::Get;
    } else {
      return atLParen() ? malformed(peek(1).offset, "unexpected token") : unexpected();
    }
    pos_ += 2;
    a.module_id = takeId();
    a.name = STRATA_TRY(takeName());
    while (atLParen()) a.args.push_back(STRATA_TRY(value()));
    STRATA_CHECK(expectRParen());
    return a;
  }

  // A float lane or scalar: nan:canonical / nan:arithmetic patterns, else a literal.
  Result<void> floatValue(bool is64, uint64_t& bits, Value::Nan& nan) {
    if (atKeyword("nan:canonical") || atKeyword("nan:arithmetic")) {
      nan = atKeyword("nan:canonical") ? Value::Nan::Canonical : Value::Nan::Arithmetic;
      next();
      return {};
    }
    bits = is64 ? STRATA_TRY(takeF64()) : STRATA_TRY(takeF32());
    return {};
  }

  Result<void> v128Value(Value& v) {
    static constexpr std::pair<std::string_view, Value::Shape> kShapes[] = {
        {"i8x16", Value::Shape::I8},  {"i16x8", Value::Shape::I16}, {"i32x4", Value::Shape::I32},
        {"i64x2", Value::Shape::I64}, {"f32x4", Value::Shape::F32}, {"f64x2", Value::Shape::F64},
    };
    auto it = std::find_if(std::begin(kShapes), std::end(kShapes), [&](auto& s) { return atKeyword(s.first); });
    if (it == std::end(kShapes)) return unexpected();
    next();
    v.shape = it->second;
    static constexpr unsigned kLaneBits[] = {8, 16, 32, 64, 32, 64};
    unsigned bits = kLaneBits[unsigned(v.shape)];
    bool is_float = v.shape == Value::Shape::F32 || v.shape == Value::Shape::F64;
    for (unsigned lane = 0; lane < 128 / bits; ++lane) {
      uint64_t lane_bits = 0;
      if (is_float) STRATA_CHECK(floatValue(bits == 64, lane_bits, v.lane_nan[lane]));
      else lane_bits = STRATA_TRY(takeInt(bits));
      for (unsigned b = 0; b < bits / 8; ++b) v.v128[lane * bits / 8 + b] = uint8_t(lane_bits >> (8 * b));
    }
    return {};
  }

  // `(ref.null ht)` in a script names only abstract heap types or numeric indices.
  Result<ir::HeapType> scriptHeapType() {
    ModuleParser types(*toks_, pos(), features_);
    ir::HeapType h = STRATA_TRY(types.heapTypeOnly());
    seek(types.pos());
    return h;
  }

  Result<Value> value() {
    STRATA_CHECK(expectLParen());
    if (kind() != TokenKind::Keyword) return unexpected();
    std::string_view kw = text();
    next();
    Value v;
    using K = Value::Kind;
    if (kw == "i32.const") {
      v.kind = K::I32;
      v.bits = STRATA_TRY(takeInt(32));
    } else if (kw == "i64.const") {
      v.kind = K::I64;
      v.bits = STRATA_TRY(takeInt(64));
    } else if (kw == "f32.const" || kw == "f64.const") {
      v.kind = kw == "f32.const" ? K::F32 : K::F64;
      STRATA_CHECK(floatValue(v.kind == K::F64, v.bits, v.nan));
    } else if (kw == "v128.const") {
      v.kind = K::V128;
      STRATA_CHECK(v128Value(v));
    } else if (kw == "ref.null") {
      v.kind = K::RefNull;
      if (atRParen()) v.kind = K::RefNullAny;
      else v.heap = STRATA_TRY(scriptHeapType());
    } else if (kw == "ref.extern" || kw == "ref.host" || kw == "ref.func") {
      v.kind = kw == "ref.func" ? K::RefFunc : K::RefExtern;
      if (atNumber()) {
        v.bits = STRATA_TRY(takeU32());
        v.has_index = true;
      }
    } else if (kw == "either") {
      v.kind = K::Either;
      while (atLParen()) v.alternatives.push_back(STRATA_TRY(value()));
    } else if (auto k = refKind(kw)) {
      v.kind = *k;
    } else {
      pos_ -= 1;
      return unexpected();
    }
    STRATA_CHECK(expectRParen());
    return v;
  }

  static std::optional<Value::Kind> refKind(std::string_view kw) {
    using K = Value::Kind;
    if (kw == "ref.struct") return K::RefStruct;
    if (kw == "ref.array") return K::RefArray;
    if (kw == "ref.i31") return K::RefI31;
    if (kw == "ref.eq") return K::RefEq;
    if (kw == "ref.any") return K::RefAny;
    if (kw == "ref.exn") return K::RefExn;
    return std::nullopt;
  }

  std::string file_;
  LineIndex lines_;
  ir::Features features_;
};

}  // namespace

Result<Script> parseWast(std::string_view text, std::string file, const ir::Features& features) {
  TokenList tokens = STRATA_TRY(tokenize(text));
  return ScriptParser(tokens, std::move(file), features).run();
}

Location locate(std::string_view text, uint64_t offset, std::string file) {
  return LineIndex(text).at(offset, file);
}

}  // namespace strata::text
