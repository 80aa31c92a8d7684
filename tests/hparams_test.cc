// The hparams plugin's content decoder (src/event/hparams.h) against
// protobuf-encoded bytes: what tools/event_builders writes as torch,
// tensorboardX and TF do, the bytes of a real torch 1.13 add_hparams from the
// corpus, and malformed content. And the scan's summary of it
// (FileResult::hparams), bounded.
#include <doctest/doctest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/hparams.h"
#include "event_builders.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "rule/registry.h"
#include "test_util.h"

namespace tblint::test {
namespace {

using namespace tblint::events;  // NOLINT

// The plugin content of the first value of an event payload.
std::string ContentOf(const std::string& payload) {
  std::string_view tag, content;
  REQUIRE(event::FindValueContent(payload, 0, &tag, &content));
  return std::string(content);
}

// The view points into the content: every decoded content is kept for the
// whole test run, so the views the tests read stay valid.
event::HparamsPluginDataView Decode(std::string content) {
  static std::deque<std::string> kept;
  const std::string& bytes = kept.emplace_back(std::move(content));
  event::HparamsPluginDataView v;
  event::WireError err;
  INFO(err.what);
  REQUIRE(event::DecodeHparamsPluginData(bytes, &v, &err));
  return v;
}

TEST_CASE("hparams: a session start info as torch writes it decodes name, type and value of every hparam") {
  const auto events = TorchAddHparams(1795298005.5, {HpNumber("lr", 0.01), HpString("opt", "adam"), HpBool("ams", true)},
                                      {{"hparam/accuracy", 0.8f}});
  REQUIRE(events.size() == 5);
  const auto ssi = Decode(ContentOf(events[2]));
  CHECK(ssi.version == 0);
  REQUIRE(ssi.kind == event::HparamsDataKind::kSessionStart);
  REQUIRE(ssi.hparams.size() == 3);
  CHECK(ssi.hparams[0].name == "lr");
  CHECK(ssi.hparams[0].type == event::HparamType::kNumber);
  CHECK(ssi.hparams[0].number == 0.01);
  CHECK(ssi.hparams[1].type == event::HparamType::kString);
  CHECK(ssi.hparams[1].str == "adam");
  // torch tests isinstance(v, (int, float)) first: True is the number 1.0.
  CHECK(ssi.hparams[2].type == event::HparamType::kNumber);
  CHECK(ssi.hparams[2].number == 1.0);

  const auto exp = Decode(ContentOf(events[1]));
  REQUIRE(exp.kind == event::HparamsDataKind::kExperiment);
  REQUIRE(exp.hparam_infos.size() == 3);
  CHECK(exp.hparam_infos[1].name == "opt");
  CHECK(exp.hparam_infos[1].type == event::HparamDataType::kString);
  CHECK(exp.hparam_infos[2].type == event::HparamDataType::kFloat64);
  REQUIRE(exp.metrics.size() == 1);
  CHECK(exp.metrics[0].group.empty());
  CHECK(exp.metrics[0].tag == "hparam/accuracy");

  const auto end = Decode(ContentOf(events[3]));
  CHECK(end.kind == event::HparamsDataKind::kSessionEnd);
  CHECK(end.status == 1);
}

TEST_CASE("hparams: tensorboardX keeps a bool a bool; a TF session start carries its group name") {
  const auto tbx = TbxAddHparams(1795298005.5, {HpBool("ams", false)}, {});
  const auto ssi = Decode(ContentOf(tbx[2]));
  REQUIRE(ssi.hparams.size() == 1);
  CHECK(ssi.hparams[0].type == event::HparamType::kBool);
  CHECK(!ssi.hparams[0].boolean);
  const auto exp = Decode(ContentOf(tbx[1]));
  CHECK(exp.hparam_infos.at(0).type == event::HparamDataType::kBool);

  const auto tf = Decode(SessionStartContent({HpNumber("dropout", 0.5)}, "5f3b2c", 1795298000.0));
  CHECK(tf.group_name == "5f3b2c");
  CHECK(tf.hparams.at(0).name == "dropout");
  const auto metrics = Decode(ExperimentContent({}, {{"validation", "epoch_accuracy"}}));
  REQUIRE(metrics.metrics.size() == 1);
  CHECK(metrics.metrics[0].group == "validation");
  CHECK(metrics.metrics[0].tag == "epoch_accuracy");
}

TEST_CASE("hparams: the builders write torch 1.13's add_hparams bytes, as the corpus holds them") {
  // sweep/trial_0/<time.time()>/ of the corpus case layout_hparams_scalars_deep,
  // written by torch 1.13's SummaryWriter.add_hparams({'lr': 0.01, 'bs': 64}, {'hparam/loss': ...}).
  const std::string path = SourceDir() +
                           "/fixtures/corpus/cases/layout_hparams_scalars_deep/sweep/trial_0/1795300613.1663823/"
                           "events.out.tfevents.1795300613.vm.17742.3";
  const std::string bytes = ReadFile(path);  // MemorySource keeps a view: the bytes must outlive it
  MemorySource src(bytes);
  RecordReader reader(&src);
  Record rec;
  std::vector<std::string> payloads;
  while (reader.Next(&rec) && rec.kind == RecordKind::kOk) payloads.emplace_back(rec.payload);
  REQUIRE(payloads.size() == 5);
  // The experiment's content is byte for byte what ExperimentContent writes.
  CHECK(ContentOf(payloads[1]) ==
        ExperimentContent({{"lr", HpType::kFloat64}, {"bs", HpType::kFloat64}}, {{"", "hparam/loss"}}));
  CHECK(ContentOf(payloads[3]) == SessionEndContent(1));
  // The session start holds bs then lr (the map's order is protobuf's own).
  CHECK(ContentOf(payloads[2]) == SessionStartContent({HpNumber("bs", 64), HpNumber("lr", 0.01)}));
  const auto ssi = Decode(ContentOf(payloads[2]));
  REQUIRE(ssi.hparams.size() == 2);
  CHECK(ssi.hparams[1].name == "lr");
  CHECK(ssi.hparams[1].number == 0.01);
}

TEST_CASE("hparams: malformed content is rejected with the offset and what was wrong, never read past its end") {
  const std::string good = SessionStartContent({HpString("opt", "adam")});
  event::HparamsPluginDataView v;
  for (size_t cut = 1; cut < good.size(); ++cut) {
    CAPTURE(cut);
    event::WireError err;
    CHECK(!event::DecodeHparamsPluginData(good.substr(0, cut), &v, &err));
    CHECK(!err.what.empty());
    CHECK(err.offset < cut);
  }
  // A string value that is not UTF-8 (proto3 strings must be).
  std::string bad = SessionStartContent({HpString("opt", "ad\xff")});
  event::WireError err;
  CHECK(!event::DecodeHparamsPluginData(bad, &v, &err));
  CHECK(err.what.find("UTF-8") != std::string::npos);
  // Field number 0 and wire type 7.
  CHECK(!event::DecodeHparamsPluginData(std::string("\x00\x01", 2), &v, &err));
  CHECK(!event::DecodeHparamsPluginData(std::string("\x0f", 1), &v, &err));
  // Unknown fields (a future version's) are skipped as protobuf skips them.
  const std::string extended = good + std::string("\x28\x05", 2) + std::string("\x33\x08\x01\x34", 4);
  CHECK(event::DecodeHparamsPluginData(extended, &v, &err));
  CHECK(v.hparams.size() == 1);
}

TEST_CASE("hparams: the last member of the data oneof wins, as in protobuf") {
  const std::string both = ExperimentContent({{"lr", HpType::kFloat64}}, {}) + SessionStartContent({HpNumber("bs", 8)});
  const auto v = Decode(both);
  CHECK(v.kind == event::HparamsDataKind::kSessionStart);
  CHECK(v.hparam_infos.empty());
  REQUIRE(v.hparams.size() == 1);
  CHECK(v.hparams[0].name == "bs");
}

TEST_CASE("hparams: FindValueContent picks the n-th summary value of an event") {
  tensorboard::Event e;
  e.set_wall_time(1795298000);
  auto* a = e.mutable_summary()->add_value();
  a->set_tag("loss");
  a->set_simple_value(1);
  auto* b = e.mutable_summary()->add_value();
  b->set_tag("_hparams_/session_start_info");
  b->mutable_metadata()->mutable_plugin_data()->set_plugin_name("hparams");
  b->mutable_metadata()->mutable_plugin_data()->set_content("xyz");
  const std::string payload = Serialize(e);
  std::string_view tag, content;
  REQUIRE(event::FindValueContent(payload, 1, &tag, &content));
  CHECK(tag == "_hparams_/session_start_info");
  CHECK(content == "xyz");
  CHECK(!event::FindValueContent(payload, 2, &tag, &content));
}

TEST_CASE("hparams: the scan keeps a bounded summary per file and counts what it drops") {
  TempDir tmp;
  std::string bytes;
  AppendRecord(&bytes, TorchHeader(1795298000));
  std::vector<HparamSetting> many;
  for (int i = 0; i < 300; ++i) many.push_back(HpNumber("h" + std::to_string(i), i));
  for (int i = 0; i < 10; ++i) {
    AppendRecord(&bytes, HparamsEvent(1795298000 + i, "_hparams_/session_start_info", SessionStartContent(many)));
  }
  AppendRecord(&bytes, HparamsEvent(1795298020, "_hparams_/session_start_info", "\x1a\x05\x0a"));  // cut short
  WriteFile(tmp / "events.out.tfevents.1795298000.gpu-node-1.4242.0", bytes);
  SetMtime(tmp / "events.out.tfevents.1795298000.gpu-node-1.4242.0", Now() - 3600);
  const LintResult r = LintPath(tmp.path());
  REQUIRE(r.logdir.files.size() == 1);
  const FileHparams& h = *r.logdir.files[0].hparams;
  CHECK(h.session_start_count == 10);
  CHECK(h.session_starts.size() == kMaxHparamsRecordsKept);
  CHECK(h.session_starts[0].hparams.size() == kMaxHparamsNamesKept);
  CHECK(h.session_starts[0].hparams_not_kept == 300 - kMaxHparamsNamesKept);
  CHECK(h.undecodable == 1);
  CHECK(h.first_error.find("_hparams_/session_start_info") != std::string::npos);
}

}  // namespace
}  // namespace tblint::test
