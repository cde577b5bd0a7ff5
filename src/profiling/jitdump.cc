// jitdump (the Linux source's tools/perf/Documentation/jitdump-specification.txt): a binary
// file jit-PID.dump, a header then one record per event, all little-endian (host order). perf
// finds the file through a mapping of it: `perf record` logs the PROT_EXEC mmap made below,
// and `perf inject --jit` reads the file it names, writes an ELF object per function and
// points the samples in the code at them. Timestamps must be perf's clock, so the recording
// is made with `perf record -k mono` (CLOCK_MONOTONIC).
//
// Each function is a JIT_CODE_LOAD record carrying its name and a copy of its code (perf
// disassembles that copy in annotate). Released images need no record: a later load at the
// same address has a later timestamp, which perf uses to tell them apart.
#include <elf.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

#include "profiling/install.h"
#include "profiling/profiling.h"
#include "profiling/symbols.h"

namespace strata::profiling {

namespace {

constexpr uint32_t kMagic = 0x4A695444;  // "JiTD" read as a little-endian u32
constexpr uint32_t kVersion = 1;
constexpr uint32_t kCodeLoad = 0;  // record id of JIT_CODE_LOAD
#if defined(__aarch64__)
constexpr uint32_t kMachine = EM_AARCH64;
#else
constexpr uint32_t kMachine = EM_X86_64;
#endif

struct FileHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t total_size;  // of this header
  uint32_t elf_mach;
  uint32_t pad1;
  uint32_t pid;
  uint64_t timestamp;
  uint64_t flags;
};
static_assert(sizeof(FileHeader) == 40);

struct RecordHeader {
  uint32_t id;
  uint32_t total_size;  // of the record, this header included
  uint64_t timestamp;
};

// JIT_CODE_LOAD's fixed part; the name (NUL-terminated) and the code bytes follow.
struct CodeLoad {
  uint32_t pid;
  uint32_t tid;
  uint64_t vma;
  uint64_t code_addr;
  uint64_t code_size;
  uint64_t code_index;  // unique per load
};
static_assert(sizeof(RecordHeader) == 16 && sizeof(CodeLoad) == 40);

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

template <class T>
void append(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

bool writeAll(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

class JitDump final : public vm::CodeListener {
 public:
  explicit JitDump(int fd) : fd_(fd) {}
  void published(const vm::CodeImage& image) override {
    std::vector<CodeSymbol> symbols = imageSymbols(image);
    auto pid = uint32_t(getpid()), tid = uint32_t(syscall(SYS_gettid));
    std::lock_guard lock(mutex_);
    std::vector<uint8_t> out;
    for (const CodeSymbol& s : symbols) {
      size_t size = sizeof(RecordHeader) + sizeof(CodeLoad) + s.name.size() + 1 + s.size;
      append(out, RecordHeader{kCodeLoad, uint32_t(size), monotonicNs()});
      append(out, CodeLoad{pid, tid, s.start, s.start, s.size, next_index_++});
      out.insert(out.end(), s.name.begin(), s.name.end());
      out.push_back(0);
      const auto* code = reinterpret_cast<const uint8_t*>(s.start);
      out.insert(out.end(), code, code + s.size);
    }
    writeAll(fd_, out);  // a profile that misses functions is no reason to stop the program
  }
  void released(const vm::CodeImage&) override {}

 private:
  std::mutex mutex_;
  int fd_;
  uint64_t next_index_ = 0;
};

}  // namespace

namespace {

Result<vm::CodeListener*> createJitDump() {
  std::string path = fmt::format("jit-{}.dump", getpid());
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot create the jitdump file", path));
  std::vector<uint8_t> header;
  append(header, FileHeader{kMagic, kVersion, sizeof(FileHeader), kMachine, 0, uint32_t(getpid()), monotonicNs(), 0});
  // The marker mapping perf record looks for: executable, of the file itself; never unmapped.
  if (!writeAll(fd, header) ||
      mmap(nullptr, size_t(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
    ::close(fd);
    return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot write or map the jitdump file", path));
  }
  return new JitDump(fd);  // lives until exit, as listeners must
}

}  // namespace

Result<void> enableJitDump() { return installOnce([] { return createJitDump(); }); }

}  // namespace strata::profiling
