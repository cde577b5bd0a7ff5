// CLI11 (the `strata` command line parser) without its cost at every start of the process.
//
// Included as is, CLI11 runs code before main() in every translation unit that includes it,
// whether or not the command line needs CLI11 (issue 12: `strata run FILE.cwasm` has 1 ms of
// start-up above a native program, and the common `run` lines never reach CLI11, fast_run.h):
//
// - <iostream> puts a std::ios_base::Init object in each such unit; the first one builds the
//   standard streams and the classic locale with all of its facets. Measured on a static test
//   program (the shape of `strata`), cold as a process start is: about 0.43 ms.
// - CLI11's header defines eight validators (ExistingFile, Number, PositiveNumber, ...) as
//   namespace-scope constants, so each unit constructs its own copy of all eight (strings and
//   std::function): about 0.017 ms per unit, 0.2 ms over the CLI's twelve units.
//
// This header declares the standard streams instead of including <iostream> (the objects live
// in libstdc++ whether or not an Init object exists; `streamsReady()` constructs them, once, on
// the paths that use CLI11), and turns the eight validator definitions into declarations of
// functions that nobody calls (none of the eight is used by Strata). The parser is otherwise
// untouched. Every unit of src/cli includes CLI11 through this header, never directly.
#pragma once

#include <istream>
#include <ostream>

#ifndef _GLIBCXX_IOSTREAM
#define _GLIBCXX_IOSTREAM 1  // <iostream>'s guard: CLI11's #include <iostream> adds nothing
namespace std {
extern istream cin;
extern ostream cout;
extern ostream cerr;
extern ostream clog;
}  // namespace std
#endif

#define ExistingFile ExistingFile_unused()
#define ExistingDirectory ExistingDirectory_unused()
#define ExistingPath ExistingPath_unused()
#define NonexistentPath NonexistentPath_unused()
#define ValidIPV4 ValidIPV4_unused()
#define Number(...) Number_unused()
#define NonNegativeNumber(...) NonNegativeNumber_unused()
#define PositiveNumber(...) PositiveNumber_unused()
#include <CLI/CLI.hpp>
#undef ExistingFile
#undef ExistingDirectory
#undef ExistingPath
#undef NonexistentPath
#undef ValidIPV4
#undef Number
#undef NonNegativeNumber
#undef PositiveNumber

namespace strata::cli {

// Constructs std::cout, std::cerr, std::cin and std::clog (and the classic locale) if nothing
// has yet: call before anything that may print through them (CLI11's parse, help and errors).
inline void streamsReady() { static std::ios_base::Init init; }

}  // namespace strata::cli
