// Dispatch profile (profile.h). Not thread safe beyond one store at a time: a development tool.
#include "interp/profile.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <utility>
#include <vector>

#include "interp/disasm.h"

namespace strata::interp::profile {

namespace {

struct PairHash {
  size_t operator()(const std::pair<const void*, const void*>& p) const {
    return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
  }
};

struct Counts {
  std::unordered_map<const void*, uint64_t> single;
  std::unordered_map<std::pair<const void*, const void*>, uint64_t, PairHash> pairs;
  const void* prev = nullptr;
  uint64_t total = 0;

  ~Counts() {
    const char* env = std::getenv("STRATA_INTERP_PROFILE_TOP");
    size_t top = env ? size_t(std::atoi(env)) : 40;
    std::vector<std::pair<uint64_t, const void*>> s;
    for (auto& [h, n] : single) s.push_back({n, h});
    std::sort(s.rbegin(), s.rend());
    fmt::print(stderr, "[interp profile] {} dispatches\n", total);
    for (size_t i = 0; i < std::min(top, s.size()); ++i)
      fmt::print(stderr, "  {:6.2f}% {:>12} {}\n", 100.0 * double(s[i].first) / double(total), s[i].first,
                 handlerName(s[i].second));
    std::vector<std::pair<uint64_t, std::pair<const void*, const void*>>> p;
    for (auto& [h, n] : pairs) p.push_back({n, h});
    std::sort(p.rbegin(), p.rend());
    fmt::print(stderr, "[interp profile] consecutive pairs\n");
    for (size_t i = 0; i < std::min(top, p.size()); ++i)
      fmt::print(stderr, "  {:6.2f}% {:>12} {} -> {}\n", 100.0 * double(p[i].first) / double(total), p[i].first,
                 handlerName(p[i].second.first), handlerName(p[i].second.second));
  }
};

Counts& counts() {
  static Counts c;
  return c;
}

}  // namespace

void hit(const void* handler) {
  Counts& c = counts();
  ++c.total;
  ++c.single[handler];
  if (c.prev) ++c.pairs[{c.prev, handler}];
  c.prev = handler;
}

}  // namespace strata::interp::profile
