// A read-only mapping of a whole file, unmapped with its last reference.
//
// Why a mapping rather than a read into a vector: on this project's virtual machines a page of
// fresh heap costs 3 to 15 us at its first write, while the page cache's pages of a file read
// before are mapped for about 1 us each (MAP_POPULATE). A read of the Sightglass noop program
// (52 KB) into a vector took 0.15 ms of a start-up whose budget is 1 ms (issue 10); mapped, the
// decoder reads the bytes where they lie (decode::decodeModuleInPlace) and nothing is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "support/error.h"

namespace strata::support {

// Everything left to read from `fd` (not closed here): room for `size_hint` + 1 bytes first (for
// a regular file its size: the read that sees its end needs no growth), doubling after. Error (kind Io):
// "PATH: read error".
Result<std::vector<uint8_t>> readAll(int fd, size_t size_hint, const std::string& path);

class FileMapping {
 public:
  // The whole file at `path`, mapped read-only (pages come in as they are read). An
  // empty file gives an empty mapping; a file that cannot be mapped (a pipe, /dev/stdin) is
  // read into memory of its own instead. Errors (kind Io): "PATH: cannot open file (REASON)",
  // "PATH: cannot map file", "PATH: read error". With `keep_fd`, the descriptor of a mapped
  // file stays open in *keep_fd for the caller to close (an artifact maps its code pages from
  // it); -1 there for one that was read; else it is closed here.
  static Result<std::shared_ptr<const FileMapping>> open(const std::string& path, int* keep_fd = nullptr);

  std::span<const uint8_t> bytes() const {
    return base_ ? std::span<const uint8_t>(static_cast<const uint8_t*>(base_), size_) : std::span<const uint8_t>(read_);
  }

  FileMapping(void* base, size_t size) : base_(base), size_(size) {}
  explicit FileMapping(std::vector<uint8_t> read) : read_(std::move(read)) {}
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  ~FileMapping();

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
  std::vector<uint8_t> read_;  // what was read when the file could not be mapped
};

}  // namespace strata::support
