#include "util/text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace tblint {
namespace {

// The length of the valid UTF-8 sequence at the start of `s` (its code point
// in *cp), or 0 when `s` does not start with one. The ranges are those of
// Unicode's table 3-7 (well-formed byte sequences), so overlongs, surrogates
// and code points above U+10FFFF are rejected, as nlohmann and Python do.
size_t DecodeOne(std::string_view s, uint32_t* cp) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong below U+0800
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong below U+10000
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (s.size() < len || b(1) < lo || b(1) > hi) return 0;
  uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; ++i) {
    if (i > 1 && (b(i) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i) & 0x3F);
  }
  *cp = v;
  return len;
}

// Format characters that reorder or break the text around them: a name
// holding U+202E (right-to-left override) prints its tail reversed, and the
// line and paragraph separators end a line in some viewers.
bool IsBidiOrLineControl(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void AppendHex(std::string* out, const char* format, uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, v);
  *out += buf;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string BytesKey(const std::string& key) { return key + std::string(kBytesSuffix); }

}  // namespace

bool IsValidUtf8(std::string_view s) {
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = DecodeOne(s.substr(i), &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    const size_t n = DecodeOne(s.substr(i), &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string EscapeForText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    // A run of printable ASCII but the backslash (nearly all of a message
    // or a path) is copied as it is: one append, not a decode per byte.
    size_t plain = i;
    while (plain < s.size()) {
      const auto c = static_cast<unsigned char>(s[plain]);
      if (c < 0x20 || c >= 0x7F || c == '\\') break;
      ++plain;
    }
    if (plain > i) {
      out.append(s.data() + i, plain - i);
      i = plain;
      continue;
    }
    const size_t n = DecodeOne(s.substr(i), &cp);
    if (n == 0) {
      AppendHex(&out, "\\x%02x", static_cast<uint8_t>(s[i]));
      ++i;
      continue;
    }
    switch (cp) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case 0x1B:
        out += "\\e";
        break;
      default:
        if (cp < 0x20 || cp == 0x7F) {
          AppendHex(&out, "\\x%02x", cp);
        } else if ((cp >= 0x80 && cp <= 0x9F) || IsBidiOrLineControl(cp)) {
          // Code points, not bytes: \u{9b}, so it cannot be mistaken for
          // the invalid bytes \xc2\x9b.
          AppendHex(&out, "\\u{%x}", cp);
        } else {
          out.append(s.data() + i, n);
        }
    }
    i += n;
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    const uint32_t v = (b(i) << 16) | (rest == 2 ? b(i + 1) << 8 : 0);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return std::nullopt;  // "x=y=" is not padding
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const int d = k >= 4 - pad ? 0 : value(text[i + k]);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    // Padding bits must be zero: one byte string has one encoding.
    if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) return std::nullopt;
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

void PutName(nlohmann::json& obj, const std::string& key, std::string_view bytes) {
  if (IsValidUtf8(bytes)) {
    obj[key] = std::string(bytes);
    if (obj.is_object()) obj.erase(BytesKey(key));
  } else {
    obj[key] = ToValidUtf8(bytes);
    obj[BytesKey(key)] = Base64Encode(bytes);
  }
}

std::optional<std::string> GetName(const nlohmann::json& obj, const std::string& key) {
  if (!obj.is_object()) return std::nullopt;
  if (auto it = obj.find(BytesKey(key)); it != obj.end()) {
    if (!it->is_string()) return std::nullopt;
    return Base64Decode(it->get_ref<const std::string&>());
  }
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

void ReplaceInvalidUtf8(nlohmann::json* doc) {
  if (doc->is_string()) {
    std::string& s = doc->get_ref<std::string&>();
    if (!IsValidUtf8(s)) s = ToValidUtf8(s);
  } else if (doc->is_array()) {
    for (nlohmann::json& item : *doc) ReplaceInvalidUtf8(&item);
  } else if (doc->is_object()) {
    // Keys cannot be changed in place: collect the bad ones, then re-insert.
    std::vector<std::string> bad_keys;
    for (auto it = doc->begin(); it != doc->end(); ++it) {
      ReplaceInvalidUtf8(&it.value());
      if (!IsValidUtf8(it.key())) bad_keys.push_back(it.key());
    }
    for (const std::string& k : bad_keys) {
      nlohmann::json value = std::move((*doc)[k]);
      doc->erase(k);
      (*doc)[ToValidUtf8(k)] = std::move(value);
    }
  }
}

std::string DumpJson(const nlohmann::json& doc, int indent) {
  return doc.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

void WriteIndentedJson(std::ostream& out, const nlohmann::json& value, int depth) {
  const std::string text = DumpJson(value);
  const std::string pad(static_cast<size_t>(2 * std::max(depth, 0)), ' ');
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
    out.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
    out << pad;
  }
  out.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
}

std::string HumanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  } else if (bytes < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
  }
  return buf;
}

}  // namespace tblint
