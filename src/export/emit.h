// Appending numbers and strings to output buffers, fast and exactly: the
// writers format millions of rows a second through these.
#ifndef TBLINT_EXPORT_EMIT_H_
#define TBLINT_EXPORT_EMIT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tblint::xport {

// Shortest decimal that reads back as the same double / float, exactly as
// std::to_chars writes it (export/shortest.h: the same text, faster). Non-finite values: "NaN", "Infinity", "-Infinity", quoted
// when `json` (JSON has no such numbers) and bare otherwise (CSV).
void AppendDouble(std::string* out, double v, bool json);
// The same, written at `p` (which must have room for kMaxNumberChars bytes);
// return the end of what was written.
inline constexpr size_t kMaxNumberChars = 32;  // >= kShortestMaxChars
char* WriteDouble(char* p, double v, bool json);
char* WriteFloat(char* p, float v, bool json);
void AppendFloat(std::string* out, float v, bool json);
void AppendInt(std::string* out, int64_t v);
void AppendUint(std::string* out, uint64_t v);

// A JSON string literal (quotes included). Invalid UTF-8 bytes become
// U+FFFD, so the output is always valid JSON; callers that must keep the
// exact bytes add a base64 "_bytes" sibling (see NeedsBytes).
void AppendJsonString(std::string* out, std::string_view s);

// True when `s` is not valid UTF-8 (so a JSON field for it needs an exact
// "_bytes" sibling).
bool NeedsBytes(std::string_view s);

// One RFC 4180 field: quoted (with quotes doubled) when it holds a comma, a
// quote, CR or LF, or starts or ends with a space; else as it is.
void AppendCsvField(std::string* out, std::string_view s);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_EMIT_H_
