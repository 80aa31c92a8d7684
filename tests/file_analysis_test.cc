// The per-file step and writer analysis (scan/file_analysis.h), fed events
// directly: what each rule later reads from TagStats and FileResult.
#include "scan/file_analysis.h"

#include <doctest/doctest.h>

#include <vector>

namespace tblint {
namespace {

struct Feeder {
  FileResult file;
  FileAnalysis analysis{&file};
  uint64_t offset = 0, index = 0;

  void Event(event::What what, int64_t step, double wall, const char* tag = nullptr, int32_t status = 0) {
    event::EventView ev;
    ev.what = what;
    ev.step = step;
    ev.has_wall_time = true;
    ev.wall_time = wall;
    ev.session_status = status;
    if (tag != nullptr) {
      event::Value v;
      v.tag = tag;
      v.kind = event::ValueKind::kSimpleValue;
      v.has_scalar = true;
      ev.values.push_back(v);
    }
    Record rec;
    rec.offset = offset;
    rec.index = index++;
    offset += 40;
    analysis.OnEvent(ev, rec);
  }
  void Scalar(int64_t step, double wall = 1.0) { Event(event::What::kSummary, step, wall, "loss"); }
};

TEST_CASE("file analysis: steps in order are neither regressions nor overwrites") {
  Feeder f;
  for (int s = 0; s < 10; ++s) f.Scalar(s, 100 + s);
  f.analysis.Finish();
  const TagStats& t = f.file.tags.at("loss");
  CHECK(t.points == 10);
  CHECK(t.min_step == 0);
  CHECK(t.max_step == 9);
  CHECK(t.regressions == 0);
  CHECK(t.overwritten == 0);
  CHECK(f.file.wall_back_jumps == 0);
  CHECK(f.file.min_wall == 100);
  CHECK(f.file.max_wall == 109);
}

TEST_CASE("file analysis: a restart into the same file is one regression and counts the re-logged steps") {
  Feeder f;
  for (int s = 0; s < 10; ++s) f.Scalar(s, 100 + s);
  for (int s = 5; s < 12; ++s) f.Scalar(s, 200 + s);
  const TagStats& t = f.file.tags.at("loss");
  CHECK(t.regressions == 1);
  CHECK(t.first_regression_from == 9);
  CHECK(t.first_regression_to == 5);
  CHECK(t.overwritten == 5);  // steps 5..9 again
  CHECK(t.first_overwritten_step == 5);
  CHECK(t.interleaves == 1);  // the new series overtook the old peak
}

TEST_CASE("file analysis: a SessionLog START purges, so steps after it are not overwrites") {
  Feeder f;
  for (int s = 0; s < 10; ++s) f.Scalar(s);
  f.Event(event::What::kFileVersion, 5, 2.0);
  f.Event(event::What::kSessionLog, 5, 2.0, nullptr, /*START*/ 1);
  for (int s = 5; s < 12; ++s) f.Scalar(s, 3.0);
  f.analysis.Finish();
  CHECK(f.file.tags.at("loss").overwritten == 0);
  CHECK(f.file.session_start_count == 1);
  CHECK(f.file.extra_file_versions == 0);  // torch's purge_step pair is not a second writer
}

TEST_CASE(
    "file analysis: a second file_version without a START is a second writer, and wall time going back is counted") {
  Feeder f;
  f.Event(event::What::kFileVersion, 0, 10.0);
  f.Scalar(1, 11.0);
  f.Event(event::What::kFileVersion, 0, 5.0);
  f.Scalar(2, 12.0);
  f.analysis.Finish();
  CHECK(f.file.extra_file_versions == 1);
  CHECK(f.file.first_extra_file_version_record == 2);
  CHECK(f.file.wall_back_jumps == 1);
  CHECK(f.file.largest_wall_back_jump == doctest::Approx(6.0));
}

}  // namespace
}  // namespace tblint
