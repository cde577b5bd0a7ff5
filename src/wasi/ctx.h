// The state of one WASI guest: arguments, environment, and the descriptor table (stdio, preopens).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/error.h"
#include "wasi/abi.h"
#include "wasi/sandbox.h"

namespace strata::wasi {

// A host directory the guest sees under `guest_path` (wasmtime's --dir HOST::GUEST).
struct Preopen {
  std::string host_path;
  std::string guest_path;
};

struct WasiConfig {
  std::vector<std::string> args;  // argv; args[0] is the program name
  std::vector<std::string> env;   // "KEY=VALUE" entries, exactly what the guest sees
  std::vector<Preopen> preopens;  // guest fds 3, 4, ... in this order
  // Host fds behind the guest's 0, 1, 2 (duplicated, so the guest closing them leaves the
  // host's open); -1 leaves the guest fd closed.
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
  // Already-open host sockets handed to the guest after the preopens (duplicated), for
  // sock_accept/recv/send/shutdown.
  std::vector<int> sockets;
};

// One readdir entry as fd_readdir reports it.
struct DirEntry {
  uint64_t ino = 0;
  Filetype type = Filetype::Unknown;
  std::string name;
};

struct FdEntry {
  UniqueFd host;
  Filetype type = Filetype::Unknown;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  uint16_t fdflags = 0;        // fdflags as the guest set them (fd_fdstat_get reports these)
  bool is_preopen = false;
  std::string preopen_name;    // the guest path of a preopen
  // fd_readdir: entries listed when a read started at cookie 0; later cookies index into it,
  // so a listing read in several calls is one consistent snapshot.
  std::vector<DirEntry> dir_snapshot;
  bool has_snapshot = false;

  bool can(uint64_t rights) const { return (rights_base & rights) == rights; }
};

// Guest fd numbers -> entries. New descriptors take the lowest free number, as POSIX does.
class FdTable {
 public:
  FdEntry* get(uint32_t fd);
  uint32_t insert(std::unique_ptr<FdEntry> entry);
  void put(uint32_t fd, std::unique_ptr<FdEntry> entry);  // at a given number (setup)
  bool close(uint32_t fd);
  // fd_renumber: `to` is closed and replaced by `from`; both must be open.
  Errno renumber(uint32_t from, uint32_t to);

 private:
  std::vector<std::unique_ptr<FdEntry>> slots_;
};

// The rights a host fd of this type may carry as base rights, and its WASI file type.
Filetype filetypeOfMode(uint32_t st_mode);
uint64_t baseRightsFor(Filetype type);
// Describes an open host fd: its type, rights for that type, fdflags from its status flags.
WasiResult<std::unique_ptr<FdEntry>> describeHostFd(UniqueFd fd);

class WasiCtx {
 public:
  // Opens the preopened directories (an Io error names a host path that is missing or not a
  // directory) and duplicates stdio.
  static Result<std::shared_ptr<WasiCtx>> create(const WasiConfig& config);

  const std::vector<std::string>& args() const { return args_; }
  const std::vector<std::string>& env() const { return env_; }
  FdTable& fds() { return fds_; }
  // The status given to proc_exit, once called. The call also unwinds the guest with
  // Trap::exit; this records it where a trap turned into an Error (a start function's) can
  // no longer carry it.
  std::optional<int32_t> exitStatus() const { return exit_status_; }
  void setExitStatus(int32_t status) { exit_status_ = status; }

 private:
  std::optional<int32_t> exit_status_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  FdTable fds_;
};

}  // namespace strata::wasi
