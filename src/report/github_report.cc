// --format github: one GitHub Actions workflow command per finding
// (docs/formats.md, "GitHub Actions").
#include <string>
#include <string_view>

#include "report/report.h"
#include "report/writers.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

// GitHub's own escaping (% CR LF, and in properties ':' and ','), extended
// to every other byte that must not reach the log raw: the other C0 controls,
// DEL and bytes that are not part of valid UTF-8 become %XX too. The runner
// decodes only its five escapes and shows the rest as written; either way
// the exact bytes can be recovered by decoding every %XX.
std::string Escape(std::string_view s, bool property) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  auto percent = [&](unsigned char c) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f || c == '%' || (property && (c == ':' || c == ','))) {
        percent(c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // The longest valid UTF-8 sequence starting here, if any.
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len > 1 && i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      percent(c);
      ++i;
    }
  }
  return out;
}

const char* Command(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "notice";
  }
  return "notice";
}

}  // namespace

namespace {

class GithubWriter final : public ReportWriter {
 public:
  explicit GithubWriter(std::ostream& out) : out_(out) {}
  void Begin(const ReportHeader& /*header*/) override {}
  void Findings(const LintResult& r, std::span<const Finding> findings) override {
    for (const Finding& f : findings) {
      tally_.Add(f);
      // line=1: GitHub attaches an annotation to a line; event files have
      // none (the message says which record and offset).
      const std::string title = std::string(f.rule->code) + " " + f.rule->name;
      out_ << "::" << Command(f.severity) << " file=" << Escape(DisplayPath(r, f.path), true)
           << ",line=1,title=" << Escape(title, true) << "::" << Escape(f.message, false) << "\n";
    }
  }
  void EndPath(const LintResult& /*result*/) override {}
  void End(const ReportInput& /*in*/) override {}

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<ReportWriter> MakeGithubWriter(std::ostream& out) { return std::make_unique<GithubWriter>(out); }

}  // namespace tblint
