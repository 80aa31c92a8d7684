// Every output format tblint knows, and their names on the command line.
// A new one: a value here, its name in kFormatNames, a renderer in
// src/report/ reached through Render (report.h), and the value in the format
// list of each subcommand that can produce it.
#ifndef TBLINT_REPORT_FORMAT_H_
#define TBLINT_REPORT_FORMAT_H_

#include <optional>
#include <string_view>

namespace tblint {

enum class Format {
  kText,    // for people (text_report.cc)
  kJson,    // docs/json.md (json_report.cc)
  kSarif,   // SARIF 2.1.0, docs/formats.md (sarif_report.cc)
  kGithub,  // GitHub Actions workflow commands, docs/formats.md (ci_report.cc)
  kJunit,   // JUnit XML, docs/formats.md (ci_report.cc)
  kHtml,    // one self-contained page with a timeline per run, docs/html.md (html_report.cc)
};

struct FormatNameEntry {
  Format format;
  std::string_view name;
};
inline constexpr FormatNameEntry kFormatNames[] = {{Format::kText, "text"},
                                                   {Format::kJson, "json"},
                                                   {Format::kSarif, "sarif"},
                                                   {Format::kGithub, "github"},
                                                   {Format::kJunit, "junit"},
                                                   {Format::kHtml, "html"}};

constexpr std::string_view FormatName(Format format) {
  for (const FormatNameEntry& e : kFormatNames) {
    if (e.format == format) return e.name;
  }
  return "?";
}

// nullopt for a name that is no format at all.
constexpr std::optional<Format> ParseFormat(std::string_view name) {
  for (const FormatNameEntry& e : kFormatNames) {
    if (e.name == name) return e.format;
  }
  return std::nullopt;
}

}  // namespace tblint

#endif  // TBLINT_REPORT_FORMAT_H_
