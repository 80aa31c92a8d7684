// The zero-copy Event decoder must accept exactly what protobuf's parser
// accepts, and extract the same values. Checked on real corpus payloads and
// on many random mutations of them.
#include <doctest/doctest.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "event.pb.h"
#include "event/event.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;

std::vector<std::string> CorpusPayloads() {
  std::vector<std::string> out;
  for (fs::recursive_directory_iterator it(test::SourceDir() + "/fixtures/corpus/cases"), end; it != end; ++it) {
    if (!fs::is_regular_file(it->status())) continue;
    if (it->path().filename().string().find("tfevents") == std::string::npos) continue;
    std::string bytes = test::ReadFile(it->path().string());
    MemorySource src(bytes);
    RecordReader reader(&src);
    Record r;
    while (reader.Next(&r)) {
      if (r.kind == RecordKind::kOk) out.emplace_back(r.payload);
    }
  }
  return out;
}

bool ProtobufAccepts(const std::string& payload) {
  // protobuf logs every invalid UTF-8 string it meets; that is noise here.
  static const bool silenced = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)silenced;
  tensorboard::Event e;
  return e.ParseFromString(payload);
}

bool WeAccept(const std::string& payload) {
  event::EventView ev;
  event::WireError err;
  return event::DecodeEvent(payload, &ev, &err);
}

TEST_CASE("the decoder extracts what protobuf parses from every corpus payload") {
  const std::vector<std::string> payloads = CorpusPayloads();
  REQUIRE(payloads.size() > 1000);
  size_t undecodable = 0;
  for (const std::string& p : payloads) {
    tensorboard::Event e;
    const bool pb = e.ParseFromString(p);
    event::EventView ev;
    event::WireError err;
    const bool ours = event::DecodeEvent(p, &ev, &err);
    REQUIRE(pb == ours);
    if (!pb) {
      ++undecodable;
      continue;
    }
    CHECK(ev.step == e.step());
    if (!std::isnan(e.wall_time())) CHECK(ev.wall_time == e.wall_time());
    CHECK((ev.what == event::What::kFileVersion) == (e.what_case() == tensorboard::Event::kFileVersion));
    CHECK((ev.what == event::What::kSummary) == (e.what_case() == tensorboard::Event::kSummary));
    if (e.has_summary()) {
      REQUIRE(ev.values.size() == static_cast<size_t>(e.summary().value_size()));
      for (int i = 0; i < e.summary().value_size(); ++i) {
        const auto& v = e.summary().value(i);
        CHECK(ev.values[i].tag == v.tag());
        CHECK(ev.values[i].plugin_name == v.metadata().plugin_data().plugin_name());
        if (v.value_case() == tensorboard::Summary::Value::kSimpleValue) {
          REQUIRE(ev.values[i].has_scalar);
          if (!std::isnan(v.simple_value())) CHECK(ev.values[i].scalar == v.simple_value());
        }
      }
    }
  }
  // The corpus holds exactly one spliced random payload (undecodable_record).
  CHECK(undecodable == 1);
}

TEST_CASE("the decoder agrees with protobuf on random mutations of real payloads") {
  const std::vector<std::string> payloads = CorpusPayloads();
  std::mt19937_64 rng(20261121);
  size_t rejected = 0, total = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string p = payloads[rng() % payloads.size()];
    switch (rng() % 5) {
      case 0:  // flip a bit
        if (!p.empty()) p[rng() % p.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:  // truncate
        p.resize(rng() % (p.size() + 1));
        break;
      case 2:  // overwrite a byte
        if (!p.empty()) p[rng() % p.size()] = static_cast<char>(rng());
        break;
      case 3: {  // insert random bytes
        std::string ins(1 + rng() % 4, '\0');
        for (char& c : ins) c = static_cast<char>(rng());
        p.insert(rng() % (p.size() + 1), ins);
        break;
      }
      default: {  // entirely random
        p.assign(rng() % 64, '\0');
        for (char& c : p) c = static_cast<char>(rng());
      }
    }
    const bool pb = ProtobufAccepts(p);
    if (WeAccept(p) != pb) {
      std::string hex;
      for (unsigned char c : p) {
        char b[4];
        std::snprintf(b, sizeof b, "%02x", c);
        hex += b;
      }
      event::EventView ev;
      event::WireError err;
      event::DecodeEvent(p, &ev, &err);
      CAPTURE(hex);
      CAPTURE(err.what);
      REQUIRE(WeAccept(p) == pb);
    }
    ++total;
    rejected += pb ? 0 : 1;
  }
  MESSAGE(rejected << " of " << total << " mutated payloads rejected by both");
  CHECK(rejected > 1000);
}

TEST_CASE("the decoder reads tensor scalars, histograms and session logs") {
  event::EventView ev;
  event::WireError err;
  // The view points into the payload: keep each payload alive while it is used.
  const std::string tensor_scalar = events::TensorScalar(1.5, 7, "acc", 0.25f);
  REQUIRE(event::DecodeEvent(tensor_scalar, &ev, &err));
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].kind == event::ValueKind::kTensor);
  CHECK(ev.values[0].tag_kind() == event::TagKind::kScalar);
  CHECK(ev.values[0].has_scalar);
  CHECK(ev.values[0].scalar == 0.25);
  CHECK(ev.step == 7);

  const std::string histogram = events::Histogram(1.5, 3, "w", 0.5);
  REQUIRE(event::DecodeEvent(histogram, &ev, &err));
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].tag_kind() == event::TagKind::kHistogram);
  CHECK_FALSE(ev.values[0].has_scalar);

  const std::string session_log = events::SessionLog(1.5, 100, tensorboard::SessionLog::START);
  REQUIRE(event::DecodeEvent(session_log, &ev, &err));
  CHECK(ev.what == event::What::kSessionLog);
  CHECK(ev.session_status == 1);
  CHECK(ev.values.empty());

  // A scalar packed into tensor_content, as TF2 writes it.
  tensorboard::Event e;
  e.set_wall_time(2);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag("lr");
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  v->mutable_tensor()->set_dtype(tensorboard::DT_DOUBLE);
  const double x = INFINITY;
  v->mutable_tensor()->set_tensor_content(std::string(reinterpret_cast<const char*>(&x), 8));
  const std::string content = events::Serialize(e);
  REQUIRE(event::DecodeEvent(content, &ev, &err));
  REQUIRE(ev.values[0].has_scalar);
  CHECK(std::isinf(ev.values[0].scalar));
}

TEST_CASE("invalid UTF-8 in a tag is rejected like protobuf rejects it") {
  std::string p = events::Scalar(1, 1, "ab", 1.0f);
  const size_t at = p.find("ab");
  REQUIRE(at != std::string::npos);
  p[at] = static_cast<char>(0xC3);  // a lead byte followed by ASCII
  CHECK_FALSE(ProtobufAccepts(p));
  event::EventView ev;
  event::WireError err;
  CHECK_FALSE(event::DecodeEvent(p, &ev, &err));
  CHECK(err.what.find("UTF-8") != std::string::npos);
}

TEST_CASE("ValidUtf8 rejects overlongs, surrogates and out-of-range code points") {
  CHECK(event::ValidUtf8("plain ascii, long enough for the fast path"));
  CHECK(event::ValidUtf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(event::ValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(event::ValidUtf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(event::ValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(event::ValidUtf8("\xe2\x82"));          // cut short
}

}  // namespace
}  // namespace tblint
