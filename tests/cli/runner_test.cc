// Tests of the script runner (src/wast/runner.h) on hand-built scripts of binary modules.
#include <gtest/gtest.h>

#include <cstdio>

#include "wast/runner.h"

namespace strata::wast {
namespace {

using text::Command;
using text::ScriptModule;
using Bytes = std::vector<uint8_t>;

const Bytes kEmpty = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};  // "\0asm", version 1

// (module (func (result i32))): the body leaves nothing where an i32 is due.
const Bytes kInvalid = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type section: (func (result i32))
    0x03, 0x02, 0x01, 0x00,                          // function section: one function of type 0
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,              // code: body of 2 bytes, no locals, end
};

// A module with a custom section "c" holding one byte, to exercise the round trip.
const Bytes kCustom = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
    0x00, 0x03, 0x01, 'c', 0x2a,                     // custom section "c", contents 0x2a
};

Command binaryCommand(Command::Kind kind, Bytes bytes, std::string message = "") {
  Command c;
  c.kind = kind;
  c.loc = {"test.wast", 1, 1};
  ScriptModule m;
  m.form = ScriptModule::Form::Binary;
  m.binary = std::move(bytes);
  c.module = std::move(m);
  c.message = std::move(message);
  return c;
}

Command plainCommand(Command::Kind kind) {
  Command c;
  c.kind = kind;
  c.loc = {"test.wast", 2, 1};
  return c;
}

// Runs with diagnostics going to a scratch file rather than the test's stderr.
class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = std::tmpfile(); }
  void TearDown() override { std::fclose(log_); }
  // Runs a one-command script.
  Tally runOne(Command c, Options o) {
    text::Script s;
    s.commands.push_back(std::move(c));
    Runner runner(o, log_);
    return runner.run(s);
  }
  std::FILE* log_ = nullptr;
};

TEST(MessageMatches, ExpectedTextInsideActual) {
  EXPECT_TRUE(messageMatches("type mismatch", "type mismatch"));
  EXPECT_TRUE(messageMatches("unknown operator i32.foo", "unknown operator"));
  EXPECT_FALSE(messageMatches("unknown operator", "unknown operator i32.foo"));
}

TEST_F(RunnerTest, DecodeAndValidateCommands) {
  text::Script s;
  s.commands.push_back(binaryCommand(Command::Kind::Module, kEmpty));
  s.commands.push_back(binaryCommand(Command::Kind::AssertInvalid, kInvalid, "type mismatch"));
  Bytes bad_version = kEmpty;
  bad_version[4] = 0x02;
  s.commands.push_back(binaryCommand(Command::Kind::AssertMalformed, bad_version, "unknown binary version"));
  s.commands.push_back(binaryCommand(Command::Kind::AssertMalformed, bad_version, "some other text"));
  s.commands.push_back(binaryCommand(Command::Kind::AssertInvalid, kEmpty, "type mismatch"));  // loads: fails
  s.commands.push_back(binaryCommand(Command::Kind::Module, kInvalid));                         // invalid: fails
  s.commands.push_back(plainCommand(Command::Kind::AssertReturn));
  s.commands.push_back(plainCommand(Command::Kind::Unsupported));
  Runner runner(Options{ir::Features::wasm2()}, log_);
  Tally t = runner.run(s);
  EXPECT_EQ(t.passed, 4u);
  EXPECT_EQ(t.message_mismatches, 1u);
  EXPECT_EQ(t.failed, 2u);
  EXPECT_EQ(t.skipped, 2u);
}

TEST_F(RunnerTest, ParseOnlySkipsEverything) {
  Options o;
  o.parse_only = true;
  Tally t = runOne(binaryCommand(Command::Kind::Module, kInvalid), o);
  EXPECT_EQ(t.skipped, 1u);
  EXPECT_EQ(t.failed, 0u);
}

TEST_F(RunnerTest, RoundTripKeepsCustomSections) {
  Options o;
  o.roundtrip = true;
  Tally t = runOne(binaryCommand(Command::Kind::Module, kCustom), o);
  EXPECT_EQ(t.passed, 1u);
  EXPECT_EQ(t.failed, 0u);
}

// The runtime's runner will override the hooks: check they are called with loaded modules.
class CountingRunner : public Runner {
 public:
  using Runner::Runner;
  int modules = 0;
  int executions = 0;

 protected:
  Outcome onModule(const Command&, std::shared_ptr<const ir::Module> m) override {
    modules += m != nullptr;
    return Outcome::pass();
  }
  Outcome runExecution(const Command&) override {
    ++executions;
    return Outcome::pass();
  }
};

TEST_F(RunnerTest, DerivedRunnerReceivesModulesAndExecutions) {
  text::Script s;
  s.commands.push_back(binaryCommand(Command::Kind::Module, kEmpty));
  s.commands.push_back(plainCommand(Command::Kind::AssertReturn));
  s.commands.push_back(plainCommand(Command::Kind::Register));
  CountingRunner runner(Options{}, log_);
  Tally t = runner.run(s);
  EXPECT_EQ(runner.modules, 1);
  EXPECT_EQ(runner.executions, 2);
  EXPECT_EQ(t.passed, 3u);
}

}  // namespace
}  // namespace strata::wast
