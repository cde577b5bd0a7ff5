// The on-disk code cache (docs/artifacts.md, "The cache"). One file per module, named by a hash
// of everything that decides its code, so a lookup is one open(). Several processes may share
// the directory: an entry appears whole (written to a unique temporary name, then renamed) and
// every load re-checks the artifact, so a stale, foreign or torn entry is only ever a miss.
#include "runtime/code_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "runtime/artifact_key.h"
#include "support/hash.h"

namespace strata::runtime {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSuffix = ".cwasm";
constexpr std::string_view kTempPrefix = ".tmp-";

std::string entryName(const Engine& engine, std::span<const uint8_t> bytes) {
  std::string prefix = artifactKeyPrefix(engine);
  support::Hash128 h = support::xxh3_128({{reinterpret_cast<const uint8_t*>(prefix.data()), prefix.size()}, bytes});
  // Hex by hand: this is on every warm start, and fmt's formatting would be its only use there.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name(32, '0');
  for (int i = 0; i < 16; ++i) {
    name[size_t(i)] = kHex[(h.high >> (60 - 4 * i)) & 15];
    name[size_t(16 + i)] = kHex[(h.low >> (60 - 4 * i)) & 15];
  }
  return name.append(kSuffix);
}

bool writeAll(int fd, std::span<const uint8_t> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data = data.subspan(size_t(n));
  }
  return true;
}

// Writes `data` as `dir/name` so no reader ever sees part of it: a rename over an entry another
// process wrote meanwhile replaces equal bytes.
void storeEntry(const fs::path& dir, const std::string& name, std::span<const uint8_t> data) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::random_device rd;
  fs::path tmp = dir / fmt::format("{}{}-{:016x}", kTempPrefix, ::getpid(), (uint64_t(rd()) << 32) | rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = writeAll(fd, data);
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), (dir / name).c_str()) != 0) ::unlink(tmp.c_str());
}

struct Entry {
  fs::path path;
  uint64_t bytes;
  fs::file_time_type mtime;
};

std::vector<Entry> entries(const fs::path& dir) {
  std::vector<Entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != kSuffix) continue;
    std::error_code e1, e2;
    uint64_t size = it->file_size(e1);
    auto mtime = it->last_write_time(e2);
    if (!e1 && !e2) out.push_back({p, size, mtime});
  }
  return out;
}

// Deletes the least recently used entries (a hit touches its mtime) while the total exceeds
// `limit`. Racing evictions in other processes may delete the same files: harmless.
void evict(const fs::path& dir, uint64_t limit) {
  std::vector<Entry> all = entries(dir);
  uint64_t total = 0;
  for (const Entry& e : all) total += e.bytes;
  if (total <= limit) return;
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const Entry& e : all) {
    if (total <= limit) break;
    std::error_code ec;
    fs::remove(e.path, ec);
    total -= e.bytes;
  }
}

}  // namespace

Result<Module> compileCached(const Engine& engine, std::span<const uint8_t> bytes,
                             const std::function<Result<Module>()>& compile) {
  const Config& config = engine.config();
  std::string name = entryName(engine, bytes);
  // A plain string on the hit path: std::filesystem's code is not run at a warm start.
  std::string path = config.cache_dir + '/' + name;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    // deserializeFile checks build, tier, settings, CPU and checksum again: a hash collision or
    // a damaged file is refused here, deleted and compiled again.
    if (auto m = Module::deserializeFile(engine, path)) {
      // LRU: the mtime is the last use, to the minute (setting it is a metadata write, about
      // 0.07 ms here, a tenth of a warm start's budget).
      if (std::time(nullptr) - st.st_mtime > 60) ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
      return m;
    }
    ::unlink(path.c_str());
  }
  Result<Module> m = compile();
  if (!m) return m;
  // A module the tier handed to the interpreter has no artifact: not cached.
  if (auto data = m->serialize()) {
    fs::path dir = config.cache_dir;
    storeEntry(dir, name, *data);
    evict(dir, config.cache_max_bytes);
  }
  return m;
}

CacheStats cacheStats(const std::string& dir) {
  CacheStats s;
  for (const Entry& e : entries(dir)) {
    ++s.entries;
    s.bytes += e.bytes;
  }
  return s;
}

uint64_t cacheClear(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    bool entry = p.extension() == kSuffix;
    if (!entry && !p.filename().string().starts_with(kTempPrefix)) continue;
    std::error_code e;
    if (fs::remove(p, e) && entry) ++n;
  }
  return n;
}

}  // namespace strata::runtime
