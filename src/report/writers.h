// The streaming writers behind MakeReportWriter (report.h), one per format
// that can be written as its findings arrive. Internal to src/report.
#ifndef TBLINT_REPORT_WRITERS_H_
#define TBLINT_REPORT_WRITERS_H_

#include <memory>
#include <optional>
#include <ostream>

#include "report/report.h"

namespace tblint {

std::unique_ptr<ReportWriter> MakeTextWriter(std::ostream& out, const TextOptions& options);
std::unique_ptr<ReportWriter> MakeJsonWriter(std::ostream& out, bool statistics);
std::unique_ptr<ReportWriter> MakeGithubWriter(std::ostream& out);
std::unique_ptr<ReportWriter> MakeSarifWriter(std::ostream& out);
// fail_on: the level at and above which a finding is a <failure>.
std::unique_ptr<ReportWriter> MakeJunitWriter(std::ostream& out, std::optional<Severity> fail_on);
// The page reads every file's tags at the end: the scan must keep them
// (no ScanConfig::release_file_details) and sample scalars.
std::unique_ptr<ReportWriter> MakeHtmlWriter(std::ostream& out);

}  // namespace tblint

#endif  // TBLINT_REPORT_WRITERS_H_
