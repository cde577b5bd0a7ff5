// Out-of-line parts of ByteReader: names and UTF-8 checks.
#include "support/byte_reader.h"

namespace strata {

Result<std::string_view> ByteReader::readName() {
  uint32_t len = STRATA_TRY(readVarU32());
  if (remaining() < len) return malformed(offset(), "unexpected end");
  std::string_view s(reinterpret_cast<const char*>(pos_), len);
  if (!isValidUtf8(s)) return malformed(offset(), "malformed UTF-8 encoding");
  pos_ += len;
  return s;
}

bool isValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) { ++p; continue; }
    int n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    if (cp > 0x10ffff) return false;
    p += n + 1;
  }
  return true;
}

}  // namespace strata
