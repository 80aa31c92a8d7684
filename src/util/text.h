// Names as bytes, made safe to print and to serialise.
//
// On Linux a file or directory name is any bytes but '/' and NUL, and a tag
// is any valid UTF-8, so names can hold invalid UTF-8, newlines, terminal
// escape sequences and bidi controls. Two renderings are defined here, one per
// audience (both documented in docs/json.md, "Names that are not UTF-8"):
//
//  - text for a terminal: EscapeForText makes every control, invalid byte and
//    bidi control visible as an escape, so a name can neither forge a line nor
//    drive the terminal;
//  - JSON for programs: a name field F always holds valid UTF-8 (invalid bytes
//    replaced by U+FFFD), and when the original bytes are not valid UTF-8 a
//    sibling F_bytes holds them exactly, in standard base64 (PutName, GetName).
//
// The lowest layer: nothing from src/ is used here.
#ifndef TBLINT_UTIL_TEXT_H_
#define TBLINT_UTIL_TEXT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace tblint {

// Strict UTF-8, as nlohmann::json and Python's decoder accept it: no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// `s` with every byte that is not part of a valid UTF-8 sequence replaced by
// U+FFFD; valid input is returned unchanged. For free text (messages) whose
// exact bytes do not matter.
std::string ToValidUtf8(std::string_view s);

// `s` as it may be written to a terminal, unambiguously:
//   '\\' -> \\ ;  LF, TAB, CR, ESC -> \n \t \r \e ;
//   other C0 controls and DEL -> \xHH ;  a byte of invalid UTF-8 -> \xHH ;
//   C1 controls (U+0080..U+009F) and the bidi and line-breaking format
//   controls (U+061C, U+200E, U+200F, U+2028..U+202E, U+2066..U+2069) -> \u{h}.
// Every other valid UTF-8 sequence passes through unchanged, so the result is
// valid UTF-8 with no control character in it; plain names print as they are.
std::string EscapeForText(std::string_view s);

// The entity HTML and XML write for a markup-special byte (& < > " '), or
// nullptr for any other byte. An apostrophe is "&apos;" in XML and "&#39;" in
// HTML (HTML 4 has no &apos;).
inline const char* MarkupEntity(char c, bool xml) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return xml ? "&apos;" : "&#39;";
    default:
      return nullptr;
  }
}

// Standard base64 (RFC 4648 alphabet, '=' padding).
std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not canonical padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

// The suffix of the sibling field that holds a name's exact bytes.
inline constexpr std::string_view kBytesSuffix = "_bytes";

// Sets obj[key] to `bytes` made valid UTF-8, and obj[key + "_bytes"] to their
// base64 when (and only when) `bytes` is not valid UTF-8; a stale "_bytes"
// sibling is removed. `obj` must be an object (or null, which becomes one).
void PutName(nlohmann::json& obj, const std::string& key, std::string_view bytes);

// The exact bytes PutName stored under `key`: from key + "_bytes" when
// present, else from the string obj[key]. nullopt when the field is missing,
// is not a string, or its "_bytes" sibling is not valid base64.
std::optional<std::string> GetName(const nlohmann::json& obj, const std::string& key);

// Replaces invalid UTF-8 in every string and key of `doc` by U+FFFD: a last
// line of defence for a document about to be dumped, in case a name field was
// missed (that name loses its exact bytes, but the output stays valid).
void ReplaceInvalidUtf8(nlohmann::json* doc);

// doc.dump(indent) with invalid UTF-8 replaced rather than thrown on: output
// must never be lost because one string slipped through unencoded.
std::string DumpJson(const nlohmann::json& doc, int indent = 2);
// DumpJson(value) as it reads nested `depth` levels deep in a document
// DumpJson prints whole: every line after the first indented by 2 * depth
// spaces. A document written piece by piece (a streamed report, a baseline)
// is then byte for byte the one printed whole.
void WriteIndentedJson(std::ostream& out, const nlohmann::json& value, int depth);

// A byte count for people: "812 B", "42.6 KiB", "1.2 MiB", "3.05 GiB".
std::string HumanBytes(uint64_t bytes);

}  // namespace tblint

#endif  // TBLINT_UTIL_TEXT_H_
