// Fuzzes the repair property (issue 7; tests/independent_scanner.h): the
// input becomes an event file dated a day ago in a fresh logdir, which is
// linted, fixed and restored twice, once with --fix (safe fixes only) and once
// with --fix --unsafe-fixes. After --fix every file's canonical record
// sequence must be the original's; after --unsafe-fixes the original's minus
// exactly the records that are not Events, and nothing else left in the file;
// a moved file must be in the backup folder intact; after restore every file
// must be byte-identical. Any violation aborts with a description.
#include <boost/filesystem.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fix/fixer.h"
#include "fuzz_util.h"
#include "independent_scanner.h"
#include "scan/scanner.h"

namespace tblint::fuzz {
namespace {

namespace ind = independent;

const char* const kFile = "run/events.out.tfevents.1795298000.gpu-node-1.4242.0";

void Phase(std::string_view in, bool unsafe) {
  const std::string pass = unsafe ? "--fix --unsafe-fixes" : "--fix";
  const std::string logdir = ScratchRoot() + "/repair";
  boost::system::error_code ec;
  boost::filesystem::remove_all(logdir, ec);
  WriteFileAt(logdir + "/" + kFile, in, Now() - 86400);
  const ind::Tree before = ind::Snapshot(logdir);

  LintResult result;
  std::string error;
  if (!Lint(logdir, AllRulesConfig(), &result, &error)) Fail("Lint failed on an existing logdir: " + error);
  FixOptions options;
  options.unsafe = unsafe;
  options.now = Now();
  const std::vector<FixOutcome> outcomes = ApplyFixes(result, options);
  const ind::Tree after = ind::Snapshot(logdir);

  std::vector<std::string> bad = ind::CheckFixed(before, after, outcomes, unsafe);
  if (unsafe) {
    for (std::string& v : ind::CheckRepairedClean(before, after)) bad.push_back(std::move(v));
  }
  bool fixed = false;
  for (const FixOutcome& o : outcomes) fixed = fixed || o.status == FixStatus::kFixed;
  if (fixed) {
    std::vector<RestoreOutcome> restored;
    if (!Restore(logdir, "", &restored, &error)) {
      for (const RestoreOutcome& r : restored) error += "; " + r.path + ": " + r.status + " " + r.message;
      bad.push_back("restore after " + pass + " failed: " + error);
    }
    if (ind::Snapshot(logdir) != before) bad.push_back("after restore (" + pass + ") the logdir is not the original");
  } else if (after != before) {
    bad.push_back(pass + " reported no fix but the logdir changed");
  }
  if (!bad.empty()) {
    std::string msg = "repair property broken by " + pass + " on a " + std::to_string(in.size()) + "-byte file:";
    for (const std::string& b : bad) msg += "\n  " + b;
    for (const FixOutcome& o : outcomes) {
      msg += "\n  fix: " + o.rel_path + ": " + FixStatusName(o.status, false) + " " + FixKindName(o.kind) + " (" +
             o.codes + ") " + o.message;
    }
    msg += "\n  input hex: " + Hex(in, 1024);
    Fail(msg);
  }
}

}  // namespace
}  // namespace tblint::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tblint::fuzz::Phase(in, /*unsafe=*/false);
  tblint::fuzz::Phase(in, /*unsafe=*/true);
  return 0;
}
