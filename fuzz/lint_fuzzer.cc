// Fuzzes a whole lint: the input becomes an event file in a fresh logdir,
// linted with every rule, and the result rendered as text and JSON. Nothing
// may crash, leak or hang (scripts/fuzz.sh passes -timeout), and the scan must
// account for the file it was given.
#include <boost/filesystem.hpp>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "report/report.h"
#include "scan/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tblint;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string logdir = fuzz::ScratchRoot() + "/lint";
  boost::system::error_code ec;
  boost::filesystem::remove_all(logdir, ec);
  fuzz::WriteFileAt(logdir + "/run/events.out.tfevents.1795298000.gpu-node-1.4242.0", in, fuzz::Now() - 86400);

  const ScanConfig config = fuzz::AllRulesConfig();
  LintResult result;
  std::string error;
  if (!Lint(logdir, config, &result, &error)) fuzz::Fail("Lint failed on an existing logdir: " + error);
  if (result.logdir.files.size() != 1) fuzz::Fail("the logdir's one event file was not scanned");
  if (result.logdir.files[0].bytes_scanned > size) fuzz::Fail("more bytes scanned than the file holds");

  ReportInput report;
  report.results.push_back(&result);
  std::ostringstream text;
  Render(text, report, Format::kText, RenderOptions{});
  const std::string json = ToJson(report).dump();
  if (text.str().empty() || json.empty()) fuzz::Fail("an empty report");
  return 0;
}
