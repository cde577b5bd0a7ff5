// Runs script commands: modules must load, assert_malformed/assert_invalid must not, the rest
// (anything that needs an instance) is skipped unless ExecRunner takes it over.
#include "wast/runner.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "decode/decoder.h"
#include "encode/encoder.h"
#include "text/text.h"
#include "validate/validator.h"

namespace strata::wast {

using text::Command;

Tally& Tally::operator+=(const Tally& o) {
  passed += o.passed;
  failed += o.failed;
  skipped += o.skipped;
  message_mismatches += o.message_mismatches;
  return *this;
}

std::string_view commandName(Command::Kind kind) {
  switch (kind) {
    case Command::Kind::Module: return "module";
    case Command::Kind::ModuleInstance: return "module instance";
    case Command::Kind::Register: return "register";
    case Command::Kind::Action: return "action";
    case Command::Kind::AssertReturn: return "assert_return";
    case Command::Kind::AssertTrap: return "assert_trap";
    case Command::Kind::AssertExhaustion: return "assert_exhaustion";
    case Command::Kind::AssertException: return "assert_exception";
    case Command::Kind::AssertInvalid: return "assert_invalid";
    case Command::Kind::AssertMalformed: return "assert_malformed";
    case Command::Kind::AssertUnlinkable: return "assert_unlinkable";
    case Command::Kind::AssertUninstantiable: return "assert_uninstantiable";
    case Command::Kind::Unsupported: return "unsupported command";
  }
  return "?";
}

bool messageMatches(std::string_view actual, std::string_view expected) {
  return actual.find(expected) != std::string_view::npos;
}

namespace {

// "malformed at 0x1f: unexpected end" — the stage that failed, where, and why.
std::string describeFailure(const Error& e) {
  std::string where = e.offset == kNoOffset ? "" : fmt::format(" at 0x{:x}", e.offset);
  return fmt::format("{}{}: {}", errorKindName(e.kind), where, e.message);
}

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot open file", path));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: read error", path));
  return std::move(s).str();
}

}  // namespace

Result<Tally> Runner::runFile(const std::string& path) {
  std::string source = STRATA_TRY(readText(path));
  Result<text::Script> script = text::parseWast(source, path, options_.features);
  if (!script) {
    const Error& e = script.error();
    std::string where = e.offset == kNoOffset ? path : text::locate(source, e.offset, path).str();
    return makeError(e.kind, kNoOffset, fmt::format("{}: {}", where, e.message));
  }
  return run(*script);
}

Tally Runner::run(const text::Script& script) {
  Tally tally;
  beginScript(script);
  for (const Command& cmd : script.commands) {
    Outcome outcome = options_.parse_only ? Outcome::skip("--parse-only") : runCommand(cmd);
    switch (outcome.verdict) {
      case Verdict::Pass:
        ++tally.passed;
        if (outcome.message_mismatch) ++tally.message_mismatches;
        break;
      case Verdict::Fail: ++tally.failed; break;
      case Verdict::Skip: ++tally.skipped; break;
    }
    report(cmd, outcome);
  }
  return tally;
}

void Runner::report(const Command& cmd, const Outcome& outcome) {
  bool show = outcome.verdict == Verdict::Fail ||
              (options_.verbose && (outcome.message_mismatch || !outcome.note.empty()));
  if (!show) return;
  const char* label = outcome.verdict == Verdict::Fail   ? "FAIL"
                      : outcome.verdict == Verdict::Skip ? "skip"
                      : outcome.message_mismatch         ? "message mismatch"
                                                         : "note";
  fmt::print(log_, "{}: {}: {}: {}\n", cmd.loc.str(), label, commandName(cmd.kind), outcome.note);
}

Outcome Runner::runCommand(const Command& cmd) {
  switch (cmd.kind) {
    case Command::Kind::Module: {
      if (!cmd.module) return Outcome::fail("no module");
      auto loaded = load(*cmd.module);
      if (!loaded) return Outcome::fail(describeFailure(loaded.error()));
      if (options_.roundtrip) {
        Outcome rt = checkRoundtrip(**loaded);
        if (rt.verdict == Verdict::Fail) return rt;
      }
      return onModule(cmd, std::move(*loaded));
    }
    case Command::Kind::AssertMalformed:
    case Command::Kind::AssertInvalid:
      return expectFailure(cmd);
    case Command::Kind::ModuleInstance:
    case Command::Kind::Register:
    case Command::Kind::Action:
    case Command::Kind::AssertReturn:
    case Command::Kind::AssertTrap:
    case Command::Kind::AssertExhaustion:
    case Command::Kind::AssertException:
    case Command::Kind::AssertUnlinkable:
    case Command::Kind::AssertUninstantiable:
      return runExecution(cmd);
    case Command::Kind::Unsupported:
      return Outcome::skip("unsupported command");
  }
  return Outcome::fail("unknown command kind");
}

Outcome Runner::onModule(const Command&, std::shared_ptr<const ir::Module>) { return Outcome::pass(); }

Outcome Runner::runExecution(const Command& cmd) {
  // The module of assert_unlinkable / assert_uninstantiable / assert_trap (module form) must
  // still be valid: linking and instantiation come after validation (spec 4.5.4).
  if (cmd.module) {
    auto loaded = load(*cmd.module);
    if (!loaded) return Outcome::skip("needs execution; and the module does not load: " + describeFailure(loaded.error()));
  }
  return Outcome::skip("");
}

Result<std::shared_ptr<const ir::Module>> Runner::load(const text::ScriptModule& sm) {
  std::shared_ptr<const ir::Module> module;
  switch (sm.form) {
    case text::ScriptModule::Form::Text:
      if (!sm.module) return makeError(ErrorKind::Malformed, kNoOffset, "text module missing from the script");
      module = sm.module;
      break;
    case text::ScriptModule::Form::Binary:
      module = std::make_shared<const ir::Module>(STRATA_TRY(decode::decodeModule(sm.binary, options_.features)));
      break;
    case text::ScriptModule::Form::Quote:
      module = std::make_shared<const ir::Module>(STRATA_TRY(text::parseWat(sm.quote, options_.features)));
      break;
  }
  STRATA_CHECK(validate::validateModule(*module, options_.features));
  return module;
}

Outcome Runner::expectFailure(const Command& cmd) {
  if (!cmd.module) return Outcome::fail("no module");
  auto loaded = load(*cmd.module);
  if (loaded) return Outcome::fail(fmt::format("expected \"{}\", but the module loaded", cmd.message));
  const Error& e = loaded.error();
  if (messageMatches(e.message, cmd.message)) return Outcome::pass();
  Outcome o = Outcome::pass();
  o.message_mismatch = true;
  o.note = fmt::format("expected \"{}\", got {}", cmd.message, describeFailure(e));
  return o;
}

Outcome Runner::checkRoundtrip(const ir::Module& m) {
  std::vector<uint8_t> first = encode::encodeModule(m);
  auto decoded = decode::decodeModule(first, options_.features);
  if (!decoded) return Outcome::fail("roundtrip: the encoding does not decode: " + describeFailure(decoded.error()));
  if (auto valid = validate::validateModule(*decoded, options_.features); !valid)
    return Outcome::fail("roundtrip: the encoding does not validate: " + describeFailure(valid.error()));
  std::vector<uint8_t> second = encode::encodeModule(*decoded);
  if (first == second) return Outcome::pass();
  size_t at = 0;
  while (at < first.size() && at < second.size() && first[at] == second[at]) ++at;
  return Outcome::fail(fmt::format("roundtrip: re-encoding differs at byte 0x{:x} (sizes {} and {})", at,
                                   first.size(), second.size()));
}

}  // namespace strata::wast
