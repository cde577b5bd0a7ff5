// Tests of the `strata run` lines read without CLI11 (src/cli/fast_run.h): what they hold, and
// that every other line is left to CLI11.
#include <gtest/gtest.h>

#include <vector>

#include "cli/fast_run.h"

namespace strata::cli {
namespace {

std::optional<FastRunLine> parse(std::vector<const char*> words) {
  words.insert(words.begin(), {"strata", "run"});
  return parseFastRun(words);
}

TEST(FastRun, FileAndArguments) {
  auto line = parse({"noop.wasm", "a", "b"});
  ASSERT_TRUE(line);
  EXPECT_EQ(line->file, "noop.wasm");
  EXPECT_EQ(line->args, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(line->tier, "");  // the default tier, resolved by the engine options
  EXPECT_FALSE(line->cache);
  EXPECT_FALSE(line->allow_precompiled);
}

TEST(FastRun, TierCacheAndPrecompiledBeforeTheFile) {
  auto line = parse({"--allow-precompiled", "--tier", "baseline", "--cache", "noop.cwasm"});
  ASSERT_TRUE(line);
  EXPECT_EQ(line->tier, "baseline");
  EXPECT_TRUE(line->cache);
  EXPECT_TRUE(line->allow_precompiled);
  EXPECT_EQ(line->file, "noop.cwasm");
  EXPECT_TRUE(line->args.empty());
}

TEST(FastRun, EveryOtherLineIsCli11s) {
  EXPECT_FALSE(parse({}));                                   // no FILE
  EXPECT_FALSE(parse({"--tier", "baseline"}));               // no FILE
  EXPECT_FALSE(parse({"--tier"}));                           // no value
  EXPECT_FALSE(parse({"--tier", "--cache", "f.wasm"}));      // an option as the value
  EXPECT_FALSE(parse({"--tier=baseline", "f.wasm"}));        // CLI11's other spelling
  EXPECT_FALSE(parse({"--tier", "a", "--tier", "b", "f.wasm"}));  // repeated
  EXPECT_FALSE(parse({"--cache", "--cache", "f.wasm"}));
  EXPECT_FALSE(parse({"--invoke", "add", "f.wasm", "1"}));   // any other option
  EXPECT_FALSE(parse({"-C", "cache=y", "f.wasm"}));
  EXPECT_FALSE(parse({"--help"}));
  EXPECT_FALSE(parse({"f.wasm", "-1"}));                     // an argument like an option
  EXPECT_FALSE(parse({"f.wasm", "--", "x"}));
  EXPECT_FALSE(parse({""}));
  std::vector<const char*> validate = {"strata", "validate", "f.wasm"};
  EXPECT_FALSE(parseFastRun(validate));
}

}  // namespace
}  // namespace strata::cli
