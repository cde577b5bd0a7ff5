// Bounds-checked reader over a byte span with strict LEB128 decoding (spec 5.2.2).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "support/error.h"

namespace strata {

// Reads from [begin, end) of a buffer; offsets reported in errors are absolute:
// base_offset is the absolute offset of data[0] within the original input.
class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(std::span<const uint8_t> data, uint64_t base_offset = 0)
      : begin_(data.data()), pos_(data.data()), end_(data.data() + data.size()), base_(base_offset) {}

  uint64_t offset() const { return base_ + static_cast<uint64_t>(pos_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool atEnd() const { return pos_ == end_; }
  const uint8_t* pos() const { return pos_; }
  // Moves past `n` bytes the caller has read at pos() (n <= remaining()).
  void advance(size_t n) { pos_ += n; }
  const uint8_t* begin() const { return begin_; }
  uint64_t baseOffset() const { return base_; }

  Result<uint8_t> readU8() {
    if (pos_ == end_) return malformed(offset(), "unexpected end");
    return *pos_++;
  }
  Result<uint8_t> peekU8() const {
    if (pos_ == end_) return malformed(offset(), "unexpected end");
    return *pos_;
  }
  Result<uint32_t> readFixedU32() {
    if (remaining() < 4) return malformed(offset(), "unexpected end");
    uint32_t v;
    std::memcpy(&v, pos_, 4);  // wasm is little-endian, as is every host we target
    pos_ += 4;
    return v;
  }
  Result<uint64_t> readFixedU64() {
    if (remaining() < 8) return malformed(offset(), "unexpected end");
    uint64_t v;
    std::memcpy(&v, pos_, 8);
    pos_ += 8;
    return v;
  }
  Result<std::span<const uint8_t>> readBytes(size_t n) {
    if (remaining() < n) return malformed(offset(), "unexpected end");
    std::span<const uint8_t> s(pos_, n);
    pos_ += n;
    return s;
  }
  Result<void> skip(size_t n) {
    if (remaining() < n) return malformed(offset(), "unexpected end");
    pos_ += n;
    return {};
  }

  // LEB128 (spec 5.2.2): at most ceil(N/7) bytes; unused bits of the last byte must be
  // zero (unsigned) or a sign extension (signed). Violations say "integer representation
  // too long" or "integer too large", as the spec suite expects.
  // The one-byte forms (most indices and constants of a body) are read inline.
  Result<uint32_t> readVarU32() {
    if (pos_ != end_ && *pos_ < 0x80) return *pos_++;
    return readUnsigned<uint32_t, 32>();
  }
  Result<uint64_t> readVarU64() { return readUnsigned<uint64_t, 64>(); }
  Result<int32_t> readVarS32() {
    if (pos_ != end_ && *pos_ < 0x80) return int32_t(int8_t(*pos_++ << 1)) >> 1;  // bit 6 is the sign
    return readSigned<int32_t, 32>();
  }
  Result<int64_t> readVarS64() {
    if (pos_ != end_ && *pos_ < 0x80) return int64_t(int8_t(*pos_++ << 1)) >> 1;
    return readSigned<int64_t, 64>();
  }
  // s33, used by block types (spec 5.4.1).
  Result<int64_t> readVarS33() { return readSigned<int64_t, 33>(); }
  // A u1 (one-bit) value encoded as LEB128 u32; used rarely. Provided for completeness.

  // name (spec 5.2.4): vec(byte) that must be valid UTF-8.
  Result<std::string_view> readName();

 private:
  template <class T, unsigned N>
  Result<T> readUnsigned() {
    uint64_t start = offset();
    T result = 0;
    unsigned shift = 0;
    constexpr unsigned kMaxBytes = (N + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ == end_) return malformed(offset(), "unexpected end");
      uint8_t byte = *pos_++;
      if (i == kMaxBytes - 1) {
        // Last permitted byte: continuation bit must be clear, high bits must be zero.
        if (byte & 0x80) return malformed(start, "integer representation too long");
        constexpr unsigned kUsed = N - 7 * (kMaxBytes - 1);
        if (kUsed < 7 && (byte >> kUsed) != 0) return malformed(start, "integer too large");
        result |= static_cast<T>(byte) << shift;
        return result;
      }
      result |= static_cast<T>(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
  }

  template <class T, unsigned N>
  Result<T> readSigned() {
    uint64_t start = offset();
    using U = std::make_unsigned_t<T>;
    U result = 0;
    unsigned shift = 0;
    constexpr unsigned kMaxBytes = (N + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ == end_) return malformed(offset(), "unexpected end");
      uint8_t byte = *pos_++;
      if (i == kMaxBytes - 1) {
        if (byte & 0x80) return malformed(start, "integer representation too long");
        // Bits above the value's width must all equal its sign bit.
        constexpr unsigned kUsed = N - 7 * (kMaxBytes - 1);  // 1..7 value bits in this byte
        if constexpr (kUsed < 7) {
          int8_t rest = static_cast<int8_t>(byte << 1) >> kUsed;  // sign-extended bits >= kUsed-1
          if (rest != 0 && rest != -1) return malformed(start, "integer too large");
        }
        result |= static_cast<U>(byte & 0x7f) << shift;
        shift += 7;
        if (shift < sizeof(T) * 8 && (byte & 0x40)) result |= ~U{0} << shift;
        return static_cast<T>(result);
      }
      result |= static_cast<U>(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (shift < sizeof(T) * 8 && (byte & 0x40)) result |= ~U{0} << shift;
        return static_cast<T>(result);
      }
    }
  }

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t base_ = 0;
};

// UTF-8 validity (spec 5.2.4 refers to Unicode scalar values: no surrogates, no overlongs).
bool isValidUtf8(std::string_view s);

}  // namespace strata
