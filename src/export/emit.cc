#include "export/emit.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "export/shortest.h"
#include "util/text.h"

namespace tblint::xport {

static_assert(kMaxNumberChars >= kShortestMaxChars);

namespace {

char* WriteNonFinite(char* p, double v, bool json) {
  const std::string_view word = std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
  if (json) *p++ = '"';
  std::memcpy(p, word.data(), word.size());
  p += word.size();
  if (json) *p++ = '"';
  return p;
}

}  // namespace

char* WriteDouble(char* p, double v, bool json) {
  if (!std::isfinite(v)) return WriteNonFinite(p, v, json);
  return ShortestDouble(p, v);
}

char* WriteFloat(char* p, float v, bool json) {
  if (!std::isfinite(v)) return WriteNonFinite(p, v, json);
  return ShortestFloat(p, v);
}

void AppendDouble(std::string* out, double v, bool json) {
  char buf[kMaxNumberChars];
  out->append(buf, WriteDouble(buf, v, json));
}

void AppendFloat(std::string* out, float v, bool json) {
  char buf[kMaxNumberChars];
  out->append(buf, WriteFloat(buf, v, json));
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendUint(std::string* out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

bool NeedsBytes(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return !IsValidUtf8(s);
  }
  return false;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  bool ascii = true;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    out->append(s);
    out->push_back('"');
    return;
  }
  std::string valid;
  std::string_view text = s;
  if (NeedsBytes(s)) {
    valid = ToValidUtf8(s);
    text = valid;
  }
  static const char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendCsvField(std::string* out, std::string_view s) {
  bool quote = !s.empty() && (s.front() == ' ' || s.back() == ' ');
  if (!quote) {
    for (char c : s) {
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace tblint::xport
