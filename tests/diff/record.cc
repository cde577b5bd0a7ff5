// Snapshots, formatting and the comparison of two tiers' records (see record.h).
#include "diff/record.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>

namespace strata::difftest {

namespace {

const char* kindName(Val::Kind k) {
  switch (k) {
    case Val::Kind::I32: return "i32";
    case Val::Kind::I64: return "i64";
    case Val::Kind::F32: return "f32";
    case Val::Kind::F64: return "f64";
    case Val::Kind::V128: return "v128";
    case Val::Kind::FuncRef: return "funcref";
    case Val::Kind::ExternRef: return "externref";
    case Val::Kind::AnyRef: return "anyref";
    case Val::Kind::ExnRef: return "exnref";
  }
  return "?";
}

bool isNan32(uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0; }
bool isNan64(uint64_t bits) {
  return (bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (bits & 0x000fffffffffffffull) != 0;
}

// Every 32-bit lane (f32x4) of a and b is equal or a NaN on both sides; likewise for f64x2.
bool sameLanes(const Value& a, const Value& b) {
  bool f32_ok = true;
  for (uint64_t word : {0, 1}) {
    uint64_t x = word ? a.hi : a.lo, y = word ? b.hi : b.lo;
    for (int shift : {0, 32}) {
      uint32_t p = uint32_t(x >> shift), q = uint32_t(y >> shift);
      if (p != q && !(isNan32(p) && isNan32(q))) f32_ok = false;
    }
  }
  if (f32_ok) return true;
  auto lane64 = [](uint64_t p, uint64_t q) { return p == q || (isNan64(p) && isNan64(q)); };
  return lane64(a.lo, b.lo) && lane64(a.hi, b.hi);
}

uint64_t loadLe(const std::vector<uint8_t>& m, size_t at, size_t width) {
  uint64_t v = 0;
  std::memcpy(&v, m.data() + at, width);  // x86-64 and the wasm memory are both little-endian
  return v;
}

bool nanAt(const std::vector<uint8_t>& m, size_t at, size_t width) {
  uint64_t v = loadLe(m, at, width);
  return width == 4 ? isNan32(uint32_t(v)) : isNan64(v);
}

}  // namespace

std::optional<size_t> memoryDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, bool strict_nan) {
  size_t n = std::min(a.size(), b.size());
  for (size_t p = 0; p < n; ++p) {
    if (a[p] == b[p]) continue;
    if (strict_nan) return p;
    size_t covered = 0;
    for (size_t width : {size_t{4}, size_t{8}}) {
      for (size_t s = p >= width - 1 ? p - (width - 1) : 0; s <= p && s + width <= n && !covered; ++s)
        if (nanAt(a, s, width) && nanAt(b, s, width)) covered = s + width;
      if (covered) break;
    }
    if (!covered) return p;
    p = covered - 1;
  }
  if (a.size() != b.size()) return n;
  return std::nullopt;
}

namespace {

std::string hexBytes(const std::vector<uint8_t>& m, size_t at, size_t count) {
  std::string out;
  for (size_t i = at; i < std::min(m.size(), at + count); ++i) out += fmt::format("{:02x}", m[i]);
  return out;
}

std::string trapText(const Trap& t, bool frames) {
  std::string s = fmt::format("trap {} \"{}\"", unsigned(t.kind()), t.message());
  if (!frames) return s;
  for (const FrameInfo& f : t.frames()) s += fmt::format(" [func {} @0x{:x}]", f.func_index, f.offset);
  return s;
}

bool sameTrap(const Trap& a, const Trap& b, bool frames) {
  if (a.kind() != b.kind() || a.message() != b.message()) return false;
  if (!frames) return true;
  if (a.frames().size() != b.frames().size()) return false;
  for (size_t i = 0; i < a.frames().size(); ++i)
    if (a.frames()[i].func_index != b.frames()[i].func_index || a.frames()[i].offset != b.frames()[i].offset)
      return false;
  return true;
}

bool sameEvent(const Event& a, const Event& b, const CompareOptions& o) {
  if (a.type != b.type || a.call != b.call || a.name != b.name) return false;
  if (!sameValues(a.args, b.args, o.strict_nan)) return false;
  if (a.trap.has_value() != b.trap.has_value()) return false;
  if (a.trap) return sameTrap(*a.trap, *b.trap, o.frames);
  return sameValues(a.results, b.results, o.strict_nan);
}

}  // namespace

Value snapshot(const Val& v) {
  Value out;
  out.kind = v.kind();
  switch (v.kind()) {
    case Val::Kind::I32:
    case Val::Kind::F32: out.lo = uint32_t(v.i32()); break;
    case Val::Kind::I64:
    case Val::Kind::F64: out.lo = uint64_t(v.i64()); break;
    case Val::Kind::V128: {
      auto bytes = v.v128();
      std::memcpy(&out.lo, bytes.data(), 8);
      std::memcpy(&out.hi, bytes.data() + 8, 8);
      break;
    }
    case Val::Kind::ExternRef:
      if (v.externref().isInt()) {
        out.lo = uint64_t(uintptr_t(v.refRaw()));
        break;
      }
      [[fallthrough]];
    default: out.lo = v.isNull() ? 0 : 1; break;
  }
  return out;
}

std::string format(const Value& v) {
  switch (v.kind) {
    case Val::Kind::I32: return fmt::format("i32:{}", int32_t(v.lo));
    case Val::Kind::I64: return fmt::format("i64:{}", int64_t(v.lo));
    case Val::Kind::F32: {
      float f;
      uint32_t bits = uint32_t(v.lo);
      std::memcpy(&f, &bits, 4);
      return fmt::format("f32:{}(0x{:08x})", f, bits);
    }
    case Val::Kind::F64: {
      double d;
      std::memcpy(&d, &v.lo, 8);
      return fmt::format("f64:{}(0x{:016x})", d, v.lo);
    }
    case Val::Kind::V128: return fmt::format("v128:0x{:016x}{:016x}", v.hi, v.lo);
    default:
      if (v.lo == 0) return fmt::format("{}:null", kindName(v.kind));
      if (v.lo == 1) return fmt::format("{}:non-null", kindName(v.kind));
      return fmt::format("{}:{}", kindName(v.kind), v.lo >> 2);
  }
}

std::string format(const std::vector<Value>& vs) {
  std::string out;
  for (const Value& v : vs) out += (out.empty() ? "" : " ") + format(v);
  return out;
}

bool sameValue(const Value& a, const Value& b, bool strict_nan) {
  if (a.kind != b.kind) return false;
  if (a.lo == b.lo && a.hi == b.hi) return true;
  if (strict_nan) return false;
  switch (a.kind) {
    case Val::Kind::F32: return isNan32(uint32_t(a.lo)) && isNan32(uint32_t(b.lo));
    case Val::Kind::F64: return isNan64(a.lo) && isNan64(b.lo);
    case Val::Kind::V128: return sameLanes(a, b);
    default: return false;
  }
}

bool sameValues(const std::vector<Value>& a, const std::vector<Value>& b, bool strict_nan) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!sameValue(a[i], b[i], strict_nan)) return false;
  return true;
}

std::string format(const Event& e, bool frames) {
  const char* what = e.type == Event::Type::Instantiate ? "instantiate" : e.type == Event::Type::Call ? "call" : "host";
  std::string s = fmt::format("#{} {} {}({})", e.call, what, e.name, format(e.args));
  if (e.type == Event::Type::Host) return s;
  if (e.trap) return s + " -> " + trapText(*e.trap, frames);
  return s + " -> " + (e.results.empty() ? "()" : format(e.results));
}

bool tierDependent(const Trap& t) {
  return t.kind() == TrapKind::OutOfFuel || t.kind() == TrapKind::Interrupt ||
         t.kind() == TrapKind::CallStackExhausted;
}

Comparison compare(const TierRecord& ref, const TierRecord& other, const CompareOptions& o) {
  Comparison c;
  auto differ = [&](std::string what) {
    c.equal = false;
    c.difference = std::move(what);
    return c;
  };
  // Two runs of one tier (interp,interp) are told apart by their place.
  bool same = ref.tier == other.tier;
  const std::string a = same ? ref.tier + "(1)" : ref.tier;
  const std::string b = same ? other.tier + "(2)" : other.tier;
  if (ref.compile_error != other.compile_error)
    return differ(fmt::format("compilation: {}: {}\n  {}: {}", a, ref.compile_error.empty() ? "ok" : ref.compile_error, b,
                              other.compile_error.empty() ? "ok" : other.compile_error));
  if (ref.link_error != other.link_error)
    return differ(fmt::format("instantiation: {}: {}\n  {}: {}", a, ref.link_error.empty() ? "ok" : ref.link_error, b,
                              other.link_error.empty() ? "ok" : other.link_error));
  if (ref.cut || other.cut) {
    bool ref_first = ref.cut && (!other.cut || *ref.cut <= *other.cut);
    c.cut = ref_first ? ref.cut : other.cut;
    c.cut_why = fmt::format("{} on {}", ref_first ? ref.cut_why : other.cut_why, ref_first ? a : b);
  }
  auto comparable = [&](const Event& e) { return !c.cut || e.call < *c.cut; };
  size_t i = 0, j = 0;
  while (true) {
    while (i < ref.events.size() && !comparable(ref.events[i])) ++i;
    while (j < other.events.size() && !comparable(other.events[j])) ++j;
    bool end_a = i == ref.events.size(), end_b = j == other.events.size();
    if (end_a && end_b) break;
    if (end_a || end_b || !sameEvent(ref.events[i], other.events[j], o)) {
      auto show = [&](const TierRecord& r, size_t k) {
        return k < r.events.size() ? format(r.events[k], o.frames) : std::string("(no more events)");
      };
      return differ(fmt::format("event {}:\n  {}: {}\n  {}: {}", c.events, a, show(ref, i), b, show(other, j)));
    }
    ++c.events;
    if (ref.events[i].type == Event::Type::Call && !ref.events[i].pre) ++c.calls;
    ++i;
    ++j;
  }
  if (c.cut) return c;  // the final state depends on where each tier stopped
  if (ref.memories.size() != other.memories.size()) return differ("different number of exported memories");
  for (size_t m = 0; m < ref.memories.size(); ++m) {
    const auto& [name, bytes_a] = ref.memories[m];
    const auto& bytes_b = other.memories[m].second;
    if (auto at = memoryDifference(bytes_a, bytes_b, o.strict_nan))
      return differ(fmt::format("memory \"{}\" (sizes {} and {}) differs at 0x{:x}:\n  {}: {}\n  {}: {}", name,
                                bytes_a.size(), bytes_b.size(), *at, a, hexBytes(bytes_a, *at, 16), b,
                                hexBytes(bytes_b, *at, 16)));
  }
  if (ref.globals.size() != other.globals.size()) return differ("different number of exported globals");
  for (size_t g = 0; g < ref.globals.size(); ++g) {
    if (!sameValue(ref.globals[g].second, other.globals[g].second, o.strict_nan))
      return differ(fmt::format("global \"{}\":\n  {}: {}\n  {}: {}", ref.globals[g].first, a,
                                format(ref.globals[g].second), b, format(other.globals[g].second)));
  }
  return c;
}

}  // namespace strata::difftest
