// Planning a fix: what to do to each file, read from its findings' FixActions
// alone (never from rule codes), and what the new file will hold. Reads only.
// Internal to src/fix.
#ifndef TBLINT_FIX_PLAN_H_
#define TBLINT_FIX_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fix/file_io.h"
#include "record/source.h"
#include "scan/scanner.h"

namespace tblint {

// Everything the findings ask of one file.
struct FilePlan {
  const FileResult* file = nullptr;
  std::string rel;                      // relative to the logdir
  std::set<std::string> codes;          // the findings whose fixes this applies
  bool move = false;                    // a FixKind::kMove
  bool rewrite = false;                 // a FixKind::kRewrite
  std::optional<uint64_t> truncate_to;  // the lowest FixKind::kTruncate offset
  // Fixes the findings hold back (a file that may still be written), and why.
  std::set<std::string> withheld_codes;
  std::string withheld;

  bool any() const { return !codes.empty(); }
  // One action per file: a move wins over a rewrite, which wins over a cut
  // (a rewrite keeps every valid record, so it covers a damaged tail too).
  FixKind kind() const { return move ? FixKind::kMove : rewrite ? FixKind::kRewrite : FixKind::kTruncate; }
  bool unsafe() const { return move || rewrite; }
  std::string Codes() const;          // the codes, comma-separated
  std::string WithheldCodes() const;  // the same for withheld_codes
};

// Whether a plan reads `f`: it offers a fix, or holds one back.
bool OffersFix(const Finding& f);

// The plans, built a finding at a time as a scan streams them: what is held
// is one plan per file that a finding offers (or withholds) a fix for, not
// the findings.
class FixPlanner {
 public:
  // Any finding; only those that offer or withhold a fix count (OffersFix).
  void Add(const Finding& f);
  // The plans, in path order, each with its file in `result`; a path that
  // names no file of `result` has none. Leaves the planner empty.
  std::vector<FilePlan> Take(const LintResult& result);

 private:
  std::map<std::string, FilePlan> plans_;
};

// What a cut's checks read back before the cut, kept in the journal so that
// restore can recognise the fixed file without reading all of it: the bytes
// [window_from, cut), the last kKeptWindow bytes the cut keeps (all of them
// when the file is shorter), and their CRC32C.
inline constexpr uint64_t kKeptWindow = 64 << 10;
struct CutCheck {
  uint64_t window_from = 0;
  uint32_t window_crc = 0;
  uint64_t records_read_back = 0;  // valid records ending at the cut, read back from it
  bool read_from_start = false;    // the local checks were not conclusive: the file was read from the start
};

// What the new file holds, read from the file the plan is for.
struct Content {
  fixio::Ranges keep;  // the byte ranges of the original it keeps (empty for a move)
  uint64_t new_size = 0;
  uint64_t kept_records = 0;
  uint64_t dropped_records = 0;
  uint64_t dropped_bytes = 0;
  std::string side_rel;  // the backup's path in the session folder
  std::string message;   // what will be done, for the outcome
  CutCheck cut;          // a truncation: what was read back before the cut
};

// Fills *content for plan.kind(); "" or why the fix is refused (a cut that
// would remove a valid record).
std::string PlanContent(const FilePlan& plan, Source* src, Content* content);

// Salvage: the records a greedy scan finds (a valid record is taken whole,
// otherwise the scan moves one byte on), which is every record whose framing
// and both CRCs check, including those hidden inside a damaged record's
// declared span. Undecodable payloads are dropped when asked, except one
// whose bytes hold valid records of their own: dropping it would drop them.
fixio::Ranges SalvageRanges(Source* src, bool drop_undecodable, uint64_t* kept, uint64_t* dropped);

// A tail fix: from `cut` to the end only a truncated record or zeros, and no
// valid record may start anywhere in the bytes that go (the check is on the
// bytes cut, not only on where the damage starts); before the cut, whole
// valid records must end exactly at it. The scan read the file from the
// start, and the caller made sure it is still that file (inode, size, mtime,
// and a write lease held since): so the records before the cut are read back
// from the cut, backwards: the one that ends at the cut, however long, and
// those before it that lie wholly in the last kKeptWindow bytes. The cost
// follows the bytes cut (and the last record), not the file's size. When no
// valid record ends at the cut, or too many headers look as if one did, the
// file is read from the start, as VerifyCutFromStart does. Fills *check. ""
// or why not.
std::string VerifyCut(Source* src, uint64_t cut, CutCheck* check);

// The same check, reading every record from the start of the file.
std::string VerifyCutFromStart(Source* src, uint64_t cut);

// Every record of a rewritten file must read back valid, and as many as
// planned. "" or why not.
std::string VerifyAllValid(const std::string& path, uint64_t expect_records);

}  // namespace tblint

#endif  // TBLINT_FIX_PLAN_H_
