// The export's fast Event decoder (src/export/decode.cc, FastDecoder)
// against the generic schema walker: the writers' scalar shapes must take the
// fast path, and on those shapes and on hundreds of thousands of mutations of
// them (flipped, overwritten, inserted and deleted bytes, truncations,
// duplicated fields) DecodeForExport must give exactly what the generic walker
// gives: the same success, the same error, the same decoded fields.
#include <doctest/doctest.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "event.pb.h"
#include "export/decode.h"

namespace {

using tblint::xport::DecodedEvent;
using tblint::xport::DecodeForExport;
using tblint::xport::DecodeForExportFast;
using tblint::xport::DecodeForExportGeneric;
using tblint::xport::TensorData;
using tblint::xport::ValueData;

std::string Describe(const TensorData& t) {
  std::string s = "dtype=" + std::to_string(t.dtype) + " shape=" + std::to_string(t.has_shape) +
                  std::to_string(t.unknown_rank) + " dims=";
  for (int64_t d : t.dims) s += std::to_string(d) + ",";
  s += " content=" + std::string(t.content) + " chunks=";
  for (const auto& c : t.chunks) {
    s += std::to_string(c.field) + "/" + std::to_string(c.packed) + "/" + std::to_string(c.scalar) + "/" +
         std::string(c.bytes) + ";";
  }
  s += " strings=";
  for (auto x : t.strings) s += std::string(x) + ";";
  return s;
}

std::string Describe(const ValueData& v) {
  std::string s = "tag=" + std::string(v.tag) + " meta=" + std::to_string(v.has_metadata) + " plugin=" +
                  std::string(v.plugin_name) + "/" + std::string(v.plugin_content) +
                  " kind=" + std::to_string(static_cast<int>(v.kind)) +
                  " simple=" + std::to_string(std::bit_cast<uint32_t>(v.simple_value)) + " histo=";
  for (double d : {v.h_min, v.h_max, v.h_num, v.h_sum, v.h_sum_squares}) s += std::to_string(d) + ",";
  s += std::to_string(v.limits.size()) + "," + std::to_string(v.counts.size()) + " media=" +
       std::to_string(v.width) + "," + std::to_string(v.height) + "," + std::to_string(v.colorspace) + "," +
       std::to_string(v.sample_rate) + "," + std::to_string(v.channels) + "," + std::to_string(v.length_frames) +
       "," + std::string(v.content_type) + "," + std::string(v.encoded) + " " + Describe(v.tensor);
  return s;
}

// Everything a decode produced, as text (for exact comparison).
std::string Describe(bool ok, const DecodedEvent& e, const tblint::event::WireError& err) {
  if (!ok) return "error at " + std::to_string(err.offset) + ": " + err.what;
  std::string s = "wall=" + std::to_string(e.has_wall_time) + "/" +
                  std::to_string(std::bit_cast<uint64_t>(e.wall_time)) + " step=" + std::to_string(e.step) +
                  " what=" + std::to_string(static_cast<int>(e.what)) +
                  " status=" + std::to_string(e.session_status) + " count=" + std::to_string(e.count) + "\n";
  for (size_t i = 0; i < e.count; ++i) s += Describe(e.values[i]) + "\n";
  return s;
}

// Decodes with both paths, reusing one DecodedEvent per path across calls
// (as the exporter does) so stale state would show.
struct Pair {
  DecodedEvent fast, generic;
  uint64_t compared = 0, fast_taken = 0, mismatches = 0;

  void Compare(const std::string& payload) {
    tblint::event::WireError ef, eg;
    DecodedEvent probe;
    if (DecodeForExportFast(payload, &probe)) ++fast_taken;
    const bool of = DecodeForExport(payload, &fast, &ef);
    const bool og = DecodeForExportGeneric(payload, &generic, &eg);
    ++compared;
    const std::string a = Describe(of, fast, ef), b = Describe(og, generic, eg);
    if (a != b && ++mismatches <= 5) CHECK_MESSAGE(a == b, "payload of ", payload.size(), " bytes");
  }
};

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  tensorboard::Event e;
  // PyTorch's SummaryWriter / tf.compat.v1: simple_value.
  e.set_wall_time(1795300574.123456);
  e.set_step(42);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag("loss/train");
  v->set_simple_value(0.25f);
  out.push_back(e.SerializeAsString());
  // Several values, one with metadata.
  v = e.mutable_summary()->add_value();
  v->set_tag("acc");
  v->set_simple_value(-1.5f);
  v->mutable_metadata()->set_display_name("accuracy");
  v->mutable_metadata()->set_summary_description("desc");
  out.push_back(e.SerializeAsString());
  // TF2: a scalar tensor in tensor_content, plugin "scalars".
  e.Clear();
  e.set_wall_time(1795300575.5);
  e.set_step(7);
  v = e.mutable_summary()->add_value();
  v->set_tag("val/acc");
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  v->mutable_metadata()->mutable_plugin_data()->set_content(std::string("\x08\x01", 2));
  v->mutable_metadata()->set_data_class(tensorboard::DATA_CLASS_SCALAR);
  auto* t = v->mutable_tensor();
  t->set_dtype(tensorboard::DT_FLOAT);
  t->mutable_tensor_shape();
  const float f = 0.875f;
  t->set_tensor_content(&f, sizeof f);
  out.push_back(e.SerializeAsString());
  // float_val (packed, one element), version_number; no metadata.
  t->clear_tensor_content();
  t->add_float_val(3.5f);
  t->set_version_number(1);
  v->clear_metadata();
  out.push_back(e.SerializeAsString());
  // double_val, two elements; no shape; no wall time; negative step.
  t->clear_float_val();
  t->set_dtype(tensorboard::DT_DOUBLE);
  t->add_double_val(1e300);
  t->add_double_val(-2);
  t->clear_tensor_shape();
  e.clear_wall_time();
  e.set_step(-3);
  out.push_back(e.SerializeAsString());
  // Empty summary; a file_version (generic path).
  e.Clear();
  e.mutable_summary();
  e.set_step(1);
  out.push_back(e.SerializeAsString());
  e.Clear();
  e.set_wall_time(1.0);
  e.set_file_version("brain.Event:2");
  out.push_back(e.SerializeAsString());
  // A histogram and a tensor with dims (generic path).
  e.Clear();
  v = e.mutable_summary()->add_value();
  v->set_tag("h");
  v->mutable_histo()->set_min(1);
  v->mutable_histo()->add_bucket(2);
  v = e.mutable_summary()->add_value();
  v->set_tag("t");
  v->mutable_tensor()->set_dtype(tensorboard::DT_INT64);
  v->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(2);
  v->mutable_tensor()->add_int64_val(5);
  out.push_back(e.SerializeAsString());
  return out;
}

}  // namespace

TEST_CASE("export fast decode: the writers' scalar shapes take the fast path and match the walker") {
  const std::vector<std::string> seeds = Seeds();
  Pair pair;
  for (size_t i = 0; i < seeds.size(); ++i) {
    DecodedEvent probe;
    const bool fast = DecodeForExportFast(seeds[i], &probe);
    CHECK_MESSAGE(fast == (i < 6), "seed ", i);  // the last two are for the generic path
    pair.Compare(seeds[i]);
  }
  CHECK(pair.mismatches == 0);

  DecodedEvent e;
  tblint::event::WireError err;
  REQUIRE(DecodeForExport(seeds[2], &e, &err));
  REQUIRE(e.count == 1);
  CHECK(e.values[0].tag == "val/acc");
  CHECK(e.values[0].plugin_name == "scalars");
  CHECK(e.values[0].kind == tblint::event::ValueKind::kTensor);
  CHECK(e.values[0].tensor.dtype == 1);
  CHECK(e.values[0].tensor.has_shape);
  CHECK(e.values[0].tensor.content.size() == 4);
  CHECK(e.step == 7);
  REQUIRE(DecodeForExport(seeds[1], &e, &err));
  REQUIRE(e.count == 2);
  CHECK(e.values[1].tag == "acc");
  CHECK(e.values[1].simple_value == -1.5f);
  CHECK(e.values[1].has_metadata);
}

TEST_CASE("export fast decode: mutated payloads decode exactly as the generic walker decodes them") {
  const std::vector<std::string> seeds = Seeds();
  std::mt19937_64 rng(7);
  Pair pair;
  for (const std::string& seed : seeds) {
    for (int i = 0; i < 40000; ++i) {
      std::string p = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < edits && !p.empty(); ++k) {
        const size_t at = rng() % p.size();
        switch (rng() % 7) {
          case 0:  // flip a bit
            p[at] = static_cast<char>(p[at] ^ (1 << (rng() % 8)));
            break;
          case 1:  // a random byte
            p[at] = static_cast<char>(rng());
            break;
          case 2:  // a byte that is a likely tag or length
            p[at] = "\x00\x01\x02\x04\x08\x09\x0a\x10\x12\x15\x1a\x20\x22\x2a\x2d\x31\x32\x42\x4a\x7f\x80\xff"[rng() % 22];
            break;
          case 3:  // truncate
            p.resize(at);
            break;
          case 4:  // delete a byte
            p.erase(at, 1);
            break;
          case 5:  // insert a byte
            p.insert(at, 1, static_cast<char>(rng()));
            break;
          case 6: {  // duplicate a span (repeated fields, messages given twice)
            const size_t len = 1 + rng() % 12;
            p.insert(at, p.substr(rng() % p.size(), len));
            break;
          }
        }
      }
      pair.Compare(p);
    }
  }
  CHECK(pair.mismatches == 0);
  CHECK(pair.compared == 40000 * seeds.size());
  // The mutations must exercise the fast path, not only the fallback (about
  // 8% of them keep a shape it takes).
  CHECK(pair.fast_taken > pair.compared / 20);
  MESSAGE("compared ", pair.compared, " payloads, ", pair.fast_taken, " on the fast path");
}
