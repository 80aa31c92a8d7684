// Recognising what a file named like an event file really holds.
#include "scan/sniff.h"

#include <cstring>

#include "event/wire.h"

namespace tblint {

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

}  // namespace

FileFormat SniffFormat(std::string_view head, uint64_t file_size) {
  if (file_size == 0) return FileFormat::kEmpty;
  if (head.starts_with("\x1f\x8b")) return FileFormat::kGzip;
  if (head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06")) return FileFormat::kZip;
  if (head.starts_with("BZh")) return FileFormat::kBzip2;
  if (head.starts_with("\xfd"
                       "7zXZ"))
    return FileFormat::kXz;
  if (head.starts_with("\x28\xb5\x2f\xfd")) return FileFormat::kZstd;
  if (head.starts_with("version https://git-lfs")) return FileFormat::kGitLfsPointer;
  // Text: no NUL byte and valid UTF-8. A real TFRecord header always holds NUL
  // bytes in the high bytes of its 64-bit length, so this never misfires on
  // an event file, however short or damaged.
  if (head.find('\0') != std::string_view::npos) return FileFormat::kTfRecord;
  std::string_view text = head;
  // The head may end inside a multi-byte character: drop up to 3 bytes.
  size_t trim = 0;
  while (trim < 3 && !text.empty() && !event::ValidUtf8(text)) {
    text.remove_suffix(1);
    ++trim;
  }
  if (!event::ValidUtf8(text)) return FileFormat::kTfRecord;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') return FileFormat::kTfRecord;
  }
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ||
                             text[i] == '\xef' || text[i] == '\xbb' || text[i] == '\xbf')) {
    ++i;
  }
  std::string_view body = text.substr(i);
  if (StartsWithNoCase(body, "<!doctype html") || StartsWithNoCase(body, "<html") || StartsWithNoCase(body, "<head") ||
      StartsWithNoCase(body, "<!--")) {
    return FileFormat::kHtml;
  }
  if (body.starts_with("{") || body.starts_with("[")) return FileFormat::kJson;
  return FileFormat::kText;
}

}  // namespace tblint
