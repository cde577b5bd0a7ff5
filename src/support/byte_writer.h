// Appends binary-format encodings (LEB128, fixed-width, names) to a byte vector (spec 5.2).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace strata {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(&out) {}

  std::vector<uint8_t>& out() { return *out_; }
  size_t size() const { return out_->size(); }

  void u8(uint8_t b) { out_->push_back(b); }
  void bytes(std::span<const uint8_t> b) { out_->insert(out_->end(), b.begin(), b.end()); }
  void fixedU32(uint32_t v) { fixed(&v, 4); }
  void fixedU64(uint64_t v) { fixed(&v, 8); }

  // Shortest LEB128 encodings.
  void varU32(uint32_t v) { varU64(v); }
  void varU64(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      if (v) b |= 0x80;
      out_->push_back(b);
    } while (v);
  }
  void varS32(int32_t v) { varS64(v); }
  void varS64(int64_t v) {
    for (;;) {
      uint8_t b = v & 0x7f;
      v >>= 7;  // arithmetic shift keeps the sign
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      out_->push_back(b);
      if (done) return;
    }
  }
  void name(std::string_view s) {
    varU32(uint32_t(s.size()));
    out_->insert(out_->end(), s.begin(), s.end());
  }

  // Reserve a fixed 5-byte u32 slot (for sizes not known yet) and patch it later. Only the
  // encoder's own scratch uses this; final output uses shortest forms via a second buffer.
  size_t reserveU32() {
    size_t at = out_->size();
    out_->insert(out_->end(), 5, 0);
    return at;
  }
  void patchU32(size_t at, uint32_t v) {
    for (int i = 0; i < 5; ++i) {
      uint8_t b = v & 0x7f;
      v >>= 7;
      if (i < 4) b |= 0x80;
      (*out_)[at + i] = b;
    }
  }

 private:
  void fixed(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_->insert(out_->end(), b, b + n);
  }
  std::vector<uint8_t>* out_;
};

}  // namespace strata
