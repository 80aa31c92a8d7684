// tblint export and tblint query: every kind of value, both views, filters,
// pivot, logdir specs, damaged files, CSV quoting, JSON Lines with hostile
// names, the SQLite schema (opened by Python's sqlite3 module), and query
// output. Expected values are derived from what the tests write, with the
// semantics of tbparse and TensorBoard documented in docs/export.md.
#include "export/export.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "cli/common.h"
#include "export/emit.h"
#include "export/sha256.h"
#include "export/sinks.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "test_util.h"
#include "util/text.h"

namespace tblint::test {
namespace {

using nlohmann::json;
constexpr double kWall = 1795298000.0;

// ---- events as the writers build them --------------------------------------

tensorboard::Event At(int64_t step, double wall = kWall) {
  tensorboard::Event e;
  e.set_wall_time(wall + static_cast<double>(step));
  e.set_step(step);
  return e;
}

std::string TensorValue(int64_t step, const std::string& tag, const std::string& plugin,
                        const tensorboard::TensorProto& t) {
  tensorboard::Event e = At(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  if (!plugin.empty()) v->mutable_metadata()->mutable_plugin_data()->set_plugin_name(plugin);
  *v->mutable_tensor() = t;
  return events::Serialize(e);
}

std::string DoubleScalar(int64_t step, const std::string& tag, double x) {
  tensorboard::TensorProto t;
  t.set_dtype(tensorboard::DT_DOUBLE);
  t.add_double_val(x);
  return TensorValue(step, tag, "scalars", t);
}

std::string Int64Scalar(int64_t step, const std::string& tag, int64_t x) {
  tensorboard::TensorProto t;
  t.set_dtype(tensorboard::DT_INT64);
  t.add_int64_val(x);
  return TensorValue(step, tag, "scalars", t);
}

// torch's add_text: tag "<name>/text_summary", a [1] string tensor.
std::string TorchText(int64_t step, const std::string& name, const std::string& text) {
  tensorboard::TensorProto t;
  t.set_dtype(tensorboard::DT_STRING);
  t.mutable_tensor_shape()->add_dim()->set_size(1);
  t.add_string_val(text);
  return TensorValue(step, name + "/text_summary", "text", t);
}

// TF2's histogram: a [k, 3] double tensor of (left, right, count).
std::string Tf2Histogram(int64_t step, const std::string& tag, const std::vector<std::array<double, 3>>& buckets) {
  tensorboard::TensorProto t;
  t.set_dtype(tensorboard::DT_DOUBLE);
  t.mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(buckets.size()));
  t.mutable_tensor_shape()->add_dim()->set_size(3);
  for (const auto& b : buckets) {
    for (double x : b) t.add_double_val(x);
  }
  return TensorValue(step, tag, "histograms", t);
}

std::string OldHistogram(int64_t step, const std::string& tag) {
  tensorboard::Event e = At(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* h = v->mutable_histo();
  h->set_min(-1.5);
  h->set_max(2.25);
  h->set_num(7);
  h->set_sum(1.0 / 3);
  h->set_sum_squares(9.5);
  for (double x : {-1.0, 0.0, 1.0, 2.25}) h->add_bucket_limit(x);
  for (double x : {1.0, 2.0, 3.0, 1.0}) h->add_bucket(x);
  return events::Serialize(e);
}

std::string ImageEvent(int64_t step, const std::string& tag, const std::string& bytes) {
  tensorboard::Event e = At(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* im = v->mutable_image();
  im->set_width(4);
  im->set_height(3);
  im->set_colorspace(3);
  im->set_encoded_image_string(bytes);
  return events::Serialize(e);
}

std::string AudioEvent(int64_t step, const std::string& tag, const std::string& bytes) {
  tensorboard::Event e = At(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* a = v->mutable_audio();
  a->set_sample_rate(16000.0f);
  a->set_num_channels(1);
  a->set_length_frames(320);
  a->set_content_type("audio/wav");
  a->set_encoded_audio_string(bytes);
  return events::Serialize(e);
}

// ---- HParamsPluginData, encoded by hand (tensorboard/plugins/hparams) -------

std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Field(uint32_t number, const std::string& bytes) {
  return Varint(number << 3 | 2) + Varint(bytes.size()) + bytes;
}
std::string DoubleField(uint32_t number, double d) {
  std::string s = Varint(number << 3 | 1);
  char b[8];
  std::memcpy(b, &d, 8);
  return s + std::string(b, 8);
}
std::string VarintField(uint32_t number, uint64_t v) { return Varint(number << 3) + Varint(v); }

std::string HparamsValue(const std::string& tag, const std::string& content) {
  // torch's add_hparams: metadata only, no value member.
  tensorboard::Event e = At(0);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* pd = v->mutable_metadata()->mutable_plugin_data();
  pd->set_plugin_name("hparams");
  pd->set_content(content);
  return events::Serialize(e);
}

std::string SessionStartInfo() {
  // hparams map<string, google.protobuf.Value>: lr 0.01, optimizer "adam", amsgrad true.
  const std::string lr = Field(1, "lr") + Field(2, DoubleField(2, 0.01));
  const std::string opt = Field(1, "optimizer") + Field(2, Field(3, "adam"));
  const std::string ams = Field(1, "amsgrad") + Field(2, VarintField(4, 1));
  const std::string ssi = Field(1, lr) + Field(1, opt) + Field(1, ams);
  return HparamsValue("_hparams_/session_start_info", VarintField(1, 0) + Field(3, ssi));
}

std::string Experiment() {
  const std::string metric = Field(1, Field(2, "val/acc")) + Field(3, "accuracy");
  return HparamsValue("_hparams_/experiment", VarintField(1, 0) + Field(2, Field(5, metric)));
}

// ---- running the export ---------------------------------------------------

std::vector<json> Lines(const std::string& out) {
  std::vector<json> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    CAPTURE(line);
    rows.push_back(json::parse(line));  // throws (fails the test) on invalid JSON
  }
  return rows;
}

std::vector<json> ExportJsonl(const std::vector<std::string>& args, CliResult* result = nullptr) {
  std::vector<std::string> all = {"export"};
  all.insert(all.end(), args.begin(), args.end());
  const CliResult r = RunCli(all);
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  if (result) *result = r;
  return Lines(r.out);
}

std::vector<json> OfKind(const std::vector<json>& rows, const std::string& kind) {
  std::vector<json> out;
  for (const json& r : rows) {
    if (r["kind"] == kind) out.push_back(r);
  }
  return out;
}

float AsFloat(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "NaN") return std::numeric_limits<float>::quiet_NaN();
    return s == "Infinity" ? INFINITY : -INFINITY;
  }
  // The shortest float32 form: read back as a float, it is the stored value.
  return std::strtof(v.dump().c_str(), nullptr);
}

bool SameFloat(float a, float b) { return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b)); }

// A logdir with every kind, written like torch / tensorboardX / TF2 do.
void WriteAllKinds(const TempDir& dir) {
  // The root run: torch-style simple_value scalars, awkward tags.
  WriteFile(
      dir / "events.out.tfevents.1795298000.host.1.0",
      Frame({events::TorchHeader(kWall), events::Scalar(kWall, 0, "loss", 0.1f),
             events::Scalar(kWall + 1, 1, "loss", std::numeric_limits<float>::quiet_NaN()),
             events::Scalar(kWall + 2, 2, "loss", INFINITY), events::Scalar(kWall + 3, 3, "loss", -INFINITY),
             events::Scalar(kWall, 0, "train/acc top,1", 0.5f), events::Scalar(kWall, 0, "ünï/cödé 🙂", 3.25f)}));
  // run "tf2": tensor scalars (float, double, int64), histograms, text, tensors.
  tensorboard::TensorProto mat;
  mat.set_dtype(tensorboard::DT_FLOAT);
  mat.mutable_tensor_shape()->add_dim()->set_size(2);
  mat.mutable_tensor_shape()->add_dim()->set_size(3);
  for (float x : {1.5f, -2.0f, 0.1f}) mat.add_float_val(x);  // padded with its last element
  tensorboard::TensorProto ints;
  ints.set_dtype(tensorboard::DT_INT32);
  ints.mutable_tensor_shape()->add_dim()->set_size(2);
  const int32_t raw[2] = {7, -9};
  ints.set_tensor_content(std::string(reinterpret_cast<const char*>(raw), 8));
  WriteFile(dir / "tf2/events.out.tfevents.1795298001.host.2.0.v2",
            Frame({events::PlainHeader(kWall), events::TensorScalar(kWall, 0, "epoch_loss", 0.3f),
                   DoubleScalar(1, "precise", 0.1), Int64Scalar(2, "count", 9007199254740993LL),
                   Tf2Histogram(3, "weights", {{0.0, 1.0, 2.0}, {1.0, 2.5, 5.0}}), OldHistogram(4, "old/histo"),
                   TorchText(5, "notes", "line one\nline \"two\", ✓"), TensorValue(6, "matrix", "", mat),
                   TensorValue(7, "ints", "custom_plugin", ints)}));
  // run "media": images and audio; run "hp/1795298002.5": torch's add_hparams.
  WriteFile(dir / "media/events.out.tfevents.1795298002.host.3.0",
            Frame({events::TorchHeader(kWall), ImageEvent(1, "samples", "\x89PNG\r\n\x1a\nfakepng"),
                   AudioEvent(2, "speech", "RIFFxxxxWAVEfake")}));
  WriteFile(dir / "hp/1795298002.5/events.out.tfevents.1795298002.host.4.0",
            Frame({events::TorchHeader(kWall), Experiment(), SessionStartInfo(),
                   events::Scalar(kWall, 10, "val/acc", 0.875f)}));
}

TEST_CASE("export: scalars of every writer style, float32-exact, with NaN, infinities and any tag") {
  TempDir dir;
  WriteAllKinds(dir);
  const std::vector<json> rows = ExportJsonl({dir.path()});
  const std::vector<json> scalars = OfKind(rows, "scalar");
  std::map<std::pair<std::string, int64_t>, json> by;
  for (const json& r : scalars) by[{r["tag"].get<std::string>(), r["step"].get<int64_t>()}] = r;
  REQUIRE(by.count({"loss", 0}) == 1);
  const json& first = by[{"loss", 0}];
  CHECK(first["dir_name"] == "");  // the logdir itself, as tbparse names it
  CHECK(first["file_name"] == "events.out.tfevents.1795298000.host.1.0");
  CHECK(first["value"].dump() == "0.1");  // shortest float32 form
  CHECK(SameFloat(AsFloat(first["value"]), 0.1f));
  CHECK(first["wall_time"].get<double>() == kWall);
  CHECK(first["offset"] == 88);  // after torch's 88-byte header record
  CHECK(first["record"] == 1);
  CHECK(by[{"loss", 1}]["value"] == "NaN");
  CHECK(by[{"loss", 2}]["value"] == "Infinity");
  CHECK(by[{"loss", 3}]["value"] == "-Infinity");
  CHECK(SameFloat(AsFloat(by[{"train/acc top,1", 0}]["value"]), 0.5f));
  CHECK(SameFloat(AsFloat(by[{"ünï/cödé 🙂", 0}]["value"]), 3.25f));
  // TF2 tensor scalars: float32, float64 (exact double), int64 (exact integer).
  CHECK(by[{"epoch_loss", 0}]["dir_name"] == "tf2");
  CHECK(SameFloat(AsFloat(by[{"epoch_loss", 0}]["value"]), 0.3f));
  CHECK(by[{"precise", 1}]["value"].get<double>() == 0.1);
  CHECK(by[{"count", 2}]["value"].dump() == "9007199254740993");
  CHECK(by[{"val/acc", 10}]["dir_name"] == "hp/1795298002.5");
}

TEST_CASE("export: histograms (histo as tbparse, new-style tensors as tbparse's tensor_to_histogram)") {
  TempDir dir;
  WriteAllKinds(dir);
  const std::vector<json> h = OfKind(ExportJsonl({"--kinds", "histograms", dir.path()}), "histogram");
  REQUIRE(h.size() == 2);
  const json& tf2 = h[0]["tag"] == "weights" ? h[0] : h[1];
  const json& old = h[0]["tag"] == "weights" ? h[1] : h[0];
  CHECK(tf2["limits"] == json::parse("[0,1,2.5]"));
  CHECK(tf2["counts"] == json::parse("[0,2,5]"));
  CHECK(tf2["min"] == 0);
  CHECK(tf2["max"] == 2.5);
  CHECK(tf2["num"] == 7);
  CHECK(tf2["sum"] == "NaN");
  CHECK(tf2["sum_squares"] == "NaN");
  CHECK(old["limits"] == json::parse("[-1,0,1,2.25]"));
  CHECK(old["counts"] == json::parse("[1,2,3,1]"));
  CHECK(old["min"] == -1.5);
  CHECK(old["max"] == 2.25);
  CHECK(old["num"] == 7);
  CHECK(old["sum"].get<double>() == 1.0 / 3);
  CHECK(old["sum_squares"] == 9.5);
}

TEST_CASE("export: text, tensors, images, audio and hparams") {
  TempDir dir;
  WriteAllKinds(dir);
  const std::string media = dir / "media-out";
  const std::vector<json> rows = ExportJsonl({"--media-dir", media, dir.path()});
  const std::vector<json> text = OfKind(rows, "text");
  REQUIRE(text.size() == 1);
  CHECK(text[0]["tag"] == "notes");  // torch's "/text_summary" dropped, as tbparse does
  CHECK(text[0]["value"] == "line one\nline \"two\", ✓");

  const std::vector<json> tensors = OfKind(rows, "tensor");
  REQUIRE(tensors.size() == 2);
  const json& mat = tensors[0]["tag"] == "matrix" ? tensors[0] : tensors[1];
  const json& ints = tensors[0]["tag"] == "matrix" ? tensors[1] : tensors[0];
  CHECK(mat["dtype"] == "float32");
  CHECK(mat["shape"] == json::parse("[2,3]"));
  CHECK(mat["value"].dump() == "[1.5,-2,0.1,0.1,0.1,0.1]");  // make_ndarray pads with the last element
  CHECK(ints["dtype"] == "int32");
  CHECK(ints["value"] == json::parse("[7,-9]"));

  const std::vector<json> images = OfKind(rows, "image");
  REQUIRE(images.size() == 1);
  const std::string png = "\x89PNG\r\n\x1a\nfakepng";
  CHECK(images[0]["width"] == 4);
  CHECK(images[0]["height"] == 3);
  CHECK(images[0]["content_type"] == "image/png");
  CHECK(images[0]["sha256"] == xport::Sha256Hex(png));
  REQUIRE(images[0]["path"].is_string());
  CHECK(ReadFile(images[0]["path"].get<std::string>()) == png);

  const std::vector<json> audio = OfKind(rows, "audio");
  REQUIRE(audio.size() == 1);
  CHECK(audio[0]["sample_rate"] == 16000);
  CHECK(audio[0]["length"] == 320);
  CHECK(audio[0]["content_type"] == "audio/wav");
  CHECK(ReadFile(audio[0]["path"].get<std::string>()) == "RIFFxxxxWAVEfake");

  std::map<std::string, json> hp;
  for (const json& r : OfKind(rows, "hparam")) hp[r["tag"].get<std::string>()] = r;
  REQUIRE(hp.size() == 3);
  CHECK(hp["lr"]["value"] == 0.01);
  CHECK(hp["optimizer"]["value"] == "adam");
  CHECK(hp["amsgrad"]["value"] == true);
  CHECK(hp["lr"]["dir_name"] == "hp/1795298002.5");
  const std::vector<json> metrics = OfKind(rows, "metric");
  REQUIRE(metrics.size() == 1);
  CHECK(metrics[0]["tag"] == "val/acc");
  CHECK(metrics[0]["value"] == "accuracy");
}

// A PCM WAV clip as TF's encode_wav writes it: RIFF header, a 16-byte fmt
// chunk (16-bit samples), a data chunk; the samples cover every byte value.
std::string Wav(uint32_t rate, uint16_t channels, uint32_t frames) {
  auto le = [](std::string* s, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  const uint32_t data = frames * channels * 2;
  std::string w = "RIFF";
  le(&w, 36 + data, 4);
  w += "WAVEfmt ";
  le(&w, 16, 4);
  le(&w, 1, 2);  // PCM
  le(&w, channels, 2);
  le(&w, rate, 4);
  le(&w, rate * channels * 2, 4);
  le(&w, channels * 2, 2);
  le(&w, 16, 2);
  w += "data";
  le(&w, data, 4);
  for (uint32_t i = 0; i < data; ++i) w.push_back(static_cast<char>(i * 37 % 256));
  return w;
}

// Bytes that start like a PNG (signature, IHDR) and hold NULs, CR, LF and
// high bytes, so a file that is not byte-identical shows.
std::string FakePng(char salt) {
  std::string p("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x1c\0\0\0\x0e\x08\x02\0\0\0", 29);
  for (int i = 0; i < 300; ++i) p.push_back(static_cast<char>(i * 7 + salt));
  return p;
}

std::string Shell(const std::string& cmd);  // below

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> out;
  for (boost::filesystem::directory_iterator it(dir), end; it != end; ++it) out.insert(it->path().string());
  return out;
}

TEST_CASE("export: new-style image tensors (TF2's tf.summary.image): one row per image, files byte-identical") {
  TempDir dir;
  const std::string a = FakePng(1), b = FakePng(2);
  // TF2 sends the metadata (plugin "images") with a tag's first value only;
  // step 3 holds the same image twice; "odd" is an images tensor too short to
  // hold width and height (exported as a plain tensor, not dropped).
  tensorboard::TensorProto odd;
  odd.set_dtype(tensorboard::DT_STRING);
  odd.mutable_tensor_shape()->add_dim()->set_size(1);
  odd.add_string_val("28");
  WriteFile(dir / "tf2/events.out.tfevents.1795298001.host.2.0.v2",
            Frame({events::PlainHeader(kWall), events::ImagesTensor(kWall + 1, 1, "gen/samples", 28, 14, {a, b}),
                   events::ImagesTensor(kWall + 2, 2, "gen/samples", 28, 14, {a}, false),
                   events::ImagesTensor(kWall + 3, 3, "gen/samples", 28, 14, {b, b}, false),
                   TensorValue(4, "odd", "images", odd)}));
  const std::string media = dir / "media-out";
  const std::vector<json> rows = ExportJsonl({"--media-dir", media, dir.path()});
  const std::vector<json> images = OfKind(rows, "image");
  REQUIRE(images.size() == 5);
  const std::vector<std::pair<int, int>> step_sample = {{1, 0}, {1, 1}, {2, 0}, {3, 0}, {3, 1}};
  const std::vector<std::string> bytes = {a, b, a, b, b};
  for (size_t i = 0; i < images.size(); ++i) {
    CAPTURE(i);
    const json& r = images[i];
    CHECK(r["dir_name"] == "tf2");
    CHECK(r["tag"] == "gen/samples");
    CHECK(r["step"] == step_sample[i].first);
    CHECK(r["sample"] == step_sample[i].second);
    CHECK(r["width"] == 28);
    CHECK(r["height"] == 14);
    CHECK(r["content_type"] == "image/png");
    CHECK(r["sha256"] == xport::Sha256Hex(bytes[i]));
    REQUIRE(r["path"].is_string());
    const std::string path = r["path"].get<std::string>();
    CHECK(path.rfind(media + "/", 0) == 0);
    CHECK(path.ends_with(".png"));
    CHECK(ReadFile(path) == bytes[i]);
  }
  // The same bytes at the same step are one file; the tag's '/' is escaped.
  CHECK(images[3]["path"] == images[4]["path"]);
  CHECK(FilesIn(media).size() == 4);
  CHECK(images[0]["path"].get<std::string>().find("gen%2Fsamples") != std::string::npos);
  const std::vector<json> tensors = OfKind(rows, "tensor");
  REQUIRE(tensors.size() == 1);
  CHECK(tensors[0]["tag"] == "odd");
  CHECK(tensors[0]["value"] == json::parse(R"(["28"])"));

  // The tensorboard view shows the same images; CSV and SQLite hold the
  // same rows.
  CHECK(OfKind(ExportJsonl({"--view", "tensorboard", dir.path()}), "image").size() == 5);
  const CliResult csv = RunCli({"export", "--format", "csv", "--kinds", "images", dir.path()});
  CHECK(csv.exit_code == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 6);  // header + 5 rows
  const std::string db = dir / "out.db";
  REQUIRE(RunCli({"export", "--format", "sqlite", "--media-dir", media, "-o", db, dir.path()}).exit_code == 0);
  CHECK(Shell("sqlite3 " + db +
              " 'select step, sample, width, height, content_type from images order by step, sample'") ==
        "1|0|28|14|image/png\n1|1|28|14|image/png\n2|0|28|14|image/png\n3|0|28|14|image/png\n3|1|28|14|image/png\n");
  CHECK(Shell("sqlite3 " + db + " 'select count(distinct path) from images'") == "4\n");
}

TEST_CASE("export: new-style audio tensors (TF2's tf.summary.audio): one row per clip, WAV header read") {
  TempDir dir;
  const std::string mono = Wav(8000, 1, 400), stereo = Wav(44100, 2, 1000);
  const std::string not_wav("OggS\0\x02", 6);
  WriteFile(dir / "speech/events.out.tfevents.1795298001.host.2.0.v2",
            Frame({events::PlainHeader(kWall),
                   events::AudioTensor(kWall + 1, 5, "speech/clips", {{mono, "hello"}, {stereo, ""}}),
                   events::AudioTensor(kWall + 2, 6, "speech/clips", {{not_wav, "x"}}, false)}));
  const std::string media = dir / "media-out";
  const std::vector<json> audio = OfKind(ExportJsonl({"--media-dir", media, dir.path()}), "audio");
  REQUIRE(audio.size() == 3);
  CHECK(audio[0]["step"] == 5);
  CHECK(audio[0]["sample"] == 0);
  CHECK(audio[0]["sample_rate"] == 8000);
  CHECK(audio[0]["channels"] == 1);
  CHECK(audio[0]["length"] == 400);
  CHECK(audio[0]["content_type"] == "audio/wav");
  CHECK(audio[1]["sample"] == 1);
  CHECK(audio[1]["sample_rate"] == 44100);
  CHECK(audio[1]["channels"] == 2);
  CHECK(audio[1]["length"] == 1000);
  // A clip that is not WAV: described by its bytes only, never guessed.
  CHECK(audio[2]["step"] == 6);
  CHECK(audio[2]["sample"] == 0);
  CHECK(audio[2]["sample_rate"] == 0);
  CHECK(audio[2]["content_type"] == "application/octet-stream");
  const std::vector<std::string> bytes = {mono, stereo, not_wav};
  for (size_t i = 0; i < audio.size(); ++i) {
    CAPTURE(i);
    CHECK(audio[i]["tag"] == "speech/clips");
    CHECK(audio[i]["sha256"] == xport::Sha256Hex(bytes[i]));
    REQUIRE(audio[i]["path"].is_string());
    CHECK(ReadFile(audio[i]["path"].get<std::string>()) == bytes[i]);
  }
  CHECK(audio[0]["path"].get<std::string>().ends_with(".wav"));
  CHECK(audio[2]["path"].get<std::string>().ends_with(".bin"));
  CHECK(FilesIn(media).size() == 3);
}

TEST_CASE("export: SHA-256 of known inputs") {
  CHECK(xport::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(xport::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(xport::Sha256Hex(std::string(1000, 'a')) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("export: --view tensorboard applies preemption, START purges and the resumed run; raw keeps all") {
  TempDir dir;
  // A resumed run: steps 0..9, then a restart from a checkpoint at step 5 in
  // a second file writing 5..14; and "dup" written twice at step 3.
  std::vector<std::string> a = {events::TorchHeader(kWall)};
  for (int s = 0; s < 10; ++s) a.push_back(events::Scalar(kWall + s, s, "loss", static_cast<float>(s)));
  a.push_back(events::Scalar(kWall, 3, "dup", 1.0f));
  a.push_back(events::Scalar(kWall, 3, "dup", 2.0f));
  std::vector<std::string> b = {events::TorchHeader(kWall + 100)};
  for (int s = 5; s < 15; ++s) b.push_back(events::Scalar(kWall + 100 + s, s, "loss", 100.0f + s));
  WriteFile(dir / "run/events.out.tfevents.1795298000.host.1.0", Frame(a));
  WriteFile(dir / "run/events.out.tfevents.1795298100.host.1.0", Frame(b));
  // A SessionLog START at step 2 purges every tag's points at step >= 2.
  WriteFile(dir / "started/events.out.tfevents.1795298000.host.1.0",
            Frame({events::PlainHeader(kWall), events::Scalar(kWall, 1, "a", 1.0f), events::Scalar(kWall, 2, "a", 2.0f),
                   events::Scalar(kWall, 3, "b", 3.0f), events::SessionLog(kWall, 2, tensorboard::SessionLog::START),
                   events::Scalar(kWall, 4, "a", 4.0f)}));

  const std::vector<json> raw = ExportJsonl({"--runs", "run", dir.path()});
  CHECK(raw.size() == 22);
  const std::vector<json> tb = ExportJsonl({"--view", "tensorboard", dir.path()});
  std::map<std::string, std::vector<std::pair<int64_t, float>>> series;
  for (const json& r : tb) {
    series[r["dir_name"].get<std::string>() + ":" + r["tag"].get<std::string>()].push_back(
        {r["step"].get<int64_t>(), AsFloat(r["value"])});
  }
  const auto& loss = series["run:loss"];
  REQUIRE(loss.size() == 15);
  for (int s = 0; s < 15; ++s) {
    CAPTURE(s);
    CHECK(loss[s].first == s);
    CHECK(loss[s].second == (s < 5 ? static_cast<float>(s) : 100.0f + s));
  }
  REQUIRE(series["run:dup"].size() == 1);
  CHECK(series["run:dup"][0].second == 2.0f);  // the later value of (tag, step) wins
  REQUIRE(series["started:a"].size() == 2);
  CHECK(series["started:a"][0].first == 1);
  CHECK(series["started:a"][1].first == 4);
  CHECK(series["started:b"].empty());
}

TEST_CASE("export: --kinds, --tags, --runs and NAME:PATH specs") {
  TempDir dir;
  WriteAllKinds(dir);
  const std::vector<json> only = ExportJsonl({"--kinds", "scalars", "--tags", "loss", "--tags", "val/*", dir.path()});
  for (const json& r : only) {
    CHECK(r["kind"] == "scalar");
    CHECK((r["tag"] == "loss" || r["tag"] == "val/acc"));
  }
  CHECK(only.size() == 5);
  const std::vector<json> runs = ExportJsonl({"--runs", "tf2", dir.path()});
  CHECK(!runs.empty());
  for (const json& r : runs) CHECK(r["dir_name"] == "tf2");
  const std::vector<json> named = ExportJsonl({"--kinds", "scalar", "exp:" + dir.path()});
  std::set<std::string> dirs;
  for (const json& r : named) dirs.insert(r["dir_name"].get<std::string>());
  CHECK(dirs == std::set<std::string>{"exp", "exp/tf2", "exp/hp/1795298002.5"});
  const CliResult bad = RunCli({"export", "--kinds", "pictures", dir.path()});
  CHECK(bad.exit_code == kExitUsage);
  CHECK(bad.err.find("unknown kind 'pictures'") != std::string::npos);
  CHECK(RunCli({"export", dir / "missing"}).exit_code == kExitUsage);
}

TEST_CASE("export: damaged files export every valid record and report what they skip") {
  TempDir dir;
  std::string bytes = Frame({events::PlainHeader(kWall), events::Scalar(kWall, 1, "x", 1.0f)});
  const size_t garbage_at = bytes.size();
  bytes += "this is not a record at all";
  bytes += Frame({events::Scalar(kWall, 2, "x", 2.0f), "\x07not an event"});
  const std::string last = FrameRecord(events::Scalar(kWall, 3, "x", 3.0f));
  bytes += last.substr(0, last.size() - 5);  // truncated tail
  WriteFile(dir / "events.out.tfevents.1795298000.host", bytes);
  CliResult r;
  const std::vector<json> rows = ExportJsonl({dir.path()}, &r);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["step"] == 1);
  CHECK(rows[1]["step"] == 2);
  CHECK(r.err.find("at offset " + std::to_string(garbage_at)) != std::string::npos);
  CHECK(r.err.find("payload is not an Event") != std::string::npos);
  CHECK(r.err.find("truncated") != std::string::npos);
  CHECK(r.err.find("3 damaged or unreadable spans skipped") != std::string::npos);
  // The tensorboard view stops at the first damage, as TensorBoard's readers do.
  const std::vector<json> tb = ExportJsonl({"--view", "tensorboard", dir.path()});
  CHECK(tb.size() == 1);
}

TEST_CASE("export: CSV is RFC 4180 and JSON Lines stay valid for any bytes in names") {
  TempDir dir;
  const std::string run = "we\"ird,run\nname\xff";  // not UTF-8
  WriteFile(dir / (run + "/events.out.tfevents.1795298000.host"),
            Frame({events::PlainHeader(kWall), events::Scalar(kWall, 1, "a,\"b\"\nc", 1.5f)}));
  const CliResult csv = RunCli({"export", "--format", "csv", "--kinds", "scalars", dir.path()});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out ==
        "kind,dir_name,file_name,tag,step,wall_time,value,offset,record\r\n"
        "scalar,\"we\"\"ird,run\nname\xff\",events.out.tfevents.1795298000.host,\"a,\"\"b\"\"\nc\",1," +
            std::to_string(static_cast<int64_t>(kWall)) + ",1.5,40,1\r\n");
  const std::vector<json> rows = ExportJsonl({dir.path()});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["dir_name"] == "we\"ird,run\nname\xEF\xBF\xBD");
  CHECK(GetName(rows[0], "dir_name") == run);  // exact bytes in dir_name_bytes
  CHECK(rows[0]["tag"] == "a,\"b\"\nc");
  CHECK(!rows[0].contains("tag_bytes"));
}

TEST_CASE("export: emit helpers") {
  std::string s;
  xport::AppendFloat(&s, 0.1f, true);
  s += ' ';
  xport::AppendDouble(&s, 0.1, true);
  s += ' ';
  xport::AppendFloat(&s, NAN, true);
  s += ' ';
  xport::AppendDouble(&s, -INFINITY, false);
  s += ' ';
  xport::AppendJsonString(&s, std::string("a\x01\x7f\"\\\xc3", 6));
  CHECK(s == "0.1 0.1 \"NaN\" -Infinity \"a\\u0001\\u007f\\\"\\\\\xEF\xBF\xBD\"");
  std::string c;
  xport::AppendCsvField(&c, "plain");
  c += '|';
  xport::AppendCsvField(&c, " padded");
  c += '|';
  xport::AppendCsvField(&c, "cr\rhere");
  CHECK(c == "plain|\" padded\"|\"cr\rhere\"");
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST_CASE("export: SQLite scalar rows held in several chunks per file make the same database as one chunk") {
  // A file of more scalar rows than a chunk holds is inserted chunk by
  // chunk, each sorted; steps that go back span chunks. The rows, their
  // order by key and by seq, must not depend on the chunk size.
  TempDir dir;
  std::vector<std::string> recs = {events::TorchHeader(kWall)};
  for (int i = 0; i < 5000; ++i) {
    const int step = i < 3000 ? i / 2 : i / 2 - 1000;  // back at record 3000
    recs.push_back(events::Scalar(kWall + i, step, i % 3 == 0 ? "c" : i % 2 ? "a" : "b", static_cast<float>(i)));
  }
  WriteFile(dir / "logs/run/events.out.tfevents.1795298000.host.1.0", Frame(recs));
  WriteFile(dir / "logs/run/events.out.tfevents.1795298001.host.1.0",
            Frame({events::TorchHeader(kWall), events::Scalar(kWall, 7, "a", 0.25f)}));
  auto dump = [&](size_t chunk) {
    const std::string db = dir / ("chunk" + std::to_string(chunk) + ".db");
    std::unique_ptr<xport::RowSink> sink = xport::MakeSqliteSink(db, nullptr, chunk);
    std::ostringstream err;
    xport::ExportStats stats;
    std::string error;
    REQUIRE(xport::Export({xport::ParseLogdirSpec(dir / "logs")}, xport::ExportOptions{}, sink.get(), err, &stats,
                          &error));  // Begin, the rows, Finish
    return std::make_pair(
        Shell("sqlite3 " + db + " 'select file_id, tag_id, step, seq, wall_time, value, \"offset\", record "
                                "from scalars_data'"),
        Shell("sqlite3 " + db + " 'select seq from scalars_data order by seq'") +
            Shell("sqlite3 " + db + " 'select f.file_name, count(*) from scalars_data d join files f using (file_id) "
                                    "group by f.file_name'"));
  };
  const auto one = dump(0), several = dump(700);  // 8 chunks for the big file
  CHECK(one.first.size() > 5000 * 10);
  // Each file's rows under its own id, whichever chunk held them.
  CHECK(one.second.find("events.out.tfevents.1795298000.host.1.0|5000\nevents.out.tfevents.1795298001.host.1.0|1\n") !=
        std::string::npos);
  CHECK(several.first == one.first);  // the same rows, in key order
  CHECK(several.second == one.second);
}

// Exports `dir` to an SQLite file in it (out.db) with the CLI, then runs a Python
// script on the database with Python's own sqlite3 module: `body` sees `c`
// (the connection) and prints one JSON document, which is returned parsed.
json ExportSqliteAndQuery(const TempDir& dir, const std::string& body) {
  const std::string db = dir / "out.db";
  const CliResult r = RunCli({"export", "--format", "sqlite", "-o", db, dir.path()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string script = dir / "check.py";
  WriteFile(script, "import sqlite3, sys, json\nc = sqlite3.connect(sys.argv[1])\n" + body);
  const std::string got = Shell("python3 " + script + " " + db);
  CAPTURE(got);
  return json::parse(got);
}

TEST_CASE("export: --format sqlite opens in Python's sqlite3 module, with every table, index and value") {
  TempDir dir;
  WriteAllKinds(dir);
  WriteFile(dir / "broken/events.out.tfevents.1795298000.host",
            Frame({events::PlainHeader(kWall), events::Scalar(kWall, 1, "x", 1.0f)}) + "garbage after");
  const json j = ExportSqliteAndQuery(
      dir,
      "out = {}\n"
      "out['tables'] = sorted(r[0] for r in c.execute(\"select name from sqlite_master where type='table'\"))\n"
      "out['views'] = sorted(r[0] for r in c.execute(\"select name from sqlite_master where type='view'\"))\n"
      "out['indexes'] = sorted(r[0] for r in c.execute(\"select name from sqlite_master where type='index'\"))\n"
      "out['loss'] = [[s, str(v)] for s, v in c.execute(\"select step, value from scalars where tag='loss' "
      "order by step\")]\n"
      "out['count'] = c.execute(\"select value from scalars where tag='count'\").fetchone()[0]\n"
      "out['hp'] = dict(c.execute('select tag, value from hparams'))\n"
      "out['skipped'] = [list(r) for r in c.execute('select dir_name, \"offset\", reason from skipped')]\n"
      "out['runs'] = sorted(r[0] for r in c.execute('select dir_name from runs'))\n"
      "out['files'] = c.execute('select count(*), sum(records) from files').fetchone()\n"
      "out['hist'] = json.loads(c.execute('select counts from histograms where tag=\"old/histo\"').fetchone()[0])\n"
      "print(json.dumps(out, allow_nan=True))\n");
  // Each kind's rows are in <table>_data, keyed by file_id and tag_id; a view
  // named as the table joins the names back (docs/export.md).
  CHECK(j["tables"] == json::parse(R"(["audio_data","files","histograms_data","hparams_data","images_data",
                                   "metrics_data","runs","scalars_data","skipped","tags","tensors_data","text_data"])"));
  CHECK(j["views"] == json::parse(R"(["audio","histograms","hparams","images","metrics","scalars","tensors","text"])"));
  // The kind tables are their own index (WITHOUT ROWID, primary key (file_id,
  // tag_id, step, seq)): the only named indexes are on the small tables.
  CHECK(j["indexes"] == json::parse(R"(["files_run","tags_tag"])"));
  // NaN has no SQLite representation (it is stored as NULL); infinities are real.
  CHECK(j["loss"].dump() == R"([[0,"0.10000000149011612"],[1,"None"],[2,"inf"],[3,"-inf"]])");
  CHECK(j["count"] == 9007199254740993LL);
  CHECK(j["hp"] == json::parse(R"({"lr":0.01,"optimizer":"adam","amsgrad":1})"));
  CHECK(j["skipped"].size() == 1);
  CHECK(j["skipped"][0][0] == "broken");
  CHECK(j["runs"] == json::parse(R"(["","broken","hp/1795298002.5","media","tf2"])"));
  CHECK(j["hist"] == json::parse("[1,2,3,1]"));
  // The sqlite3 shell opens it too.
  CHECK(Shell("sqlite3 " + (dir / "out.db") + " 'select count(*) from text'") == "1\n");
}

TEST_CASE("export: --format sqlite keys each kind table by (file_id, tag_id, step, seq), with the export's rows") {
  TempDir dir;
  WriteAllKinds(dir);
  // Tags interleaved, steps out of order (a restart), one tag twice in one
  // event (same file, tag, step and record: only seq tells them apart), and
  // a file of more scalar rows than the writer sorts at once (32768).
  std::vector<std::string> p = {events::TorchHeader(kWall)};
  for (int s = 0; s < 6; ++s) {
    p.push_back(events::Scalar(kWall + s, s, "b", static_cast<float>(s)));
    p.push_back(events::Scalar(kWall + s, s, "a", -0.5f - static_cast<float>(s)));
  }
  for (int s = 3; s < 8; ++s) p.push_back(events::Scalar(kWall + 10 + s, s, "b", 10.0f + s));
  tensorboard::Event twice = At(4);
  for (float x : {1.0f, 2.0f}) {
    auto* v = twice.mutable_summary()->add_value();
    v->set_tag("a");
    v->set_simple_value(x);
  }
  p.push_back(events::Serialize(twice));
  WriteFile(dir / "order/events.out.tfevents.1795298000.host.1.0", Frame(p));
  std::vector<std::string> big = {events::TorchHeader(kWall)};
  for (int i = 0; i < 40000; ++i) {
    const int step = i < 30000 ? i / 2 : i / 2 - 10000;  // steps go back at 30000
    big.push_back(events::Scalar(kWall + i, step, i % 2 ? "big/a" : "big/b", static_cast<float>(i)));
  }
  WriteFile(dir / "big/events.out.tfevents.1795298000.host.1.0", Frame(big));

  const json j = ExportSqliteAndQuery(
      dir,
      "kinds = ['scalars','tensors','histograms','images','audio','text','hparams','metrics']\n"
      "out = {'sql': {}, 'pk': {}, 'seq': []}\n"
      "for k in kinds:\n"
      "  out['sql'][k] = c.execute('select sql from sqlite_master where name=?', (k + '_data',)).fetchone()[0]\n"
      "  pk = [r[1] for r in c.execute('pragma index_list(' + k + '_data)') if r[3] == 'pk']\n"
      "  out['pk'][k] = [r[2] for r in c.execute('pragma index_info(' + pk[0] + ')')]\n"
      "  out['seq'] += [[s, k] for (s,) in c.execute('select seq from ' + k + '_data')]\n"
      "out['seq'].sort()\n"
      "q = \"select step, value from scalars where dir_name = 'order' and tag = 'a' order by step\"\n"
      "out['plan'] = [r[3] for r in c.execute('explain query plan ' + q)]\n"
      "out['a'] = [[s, repr(v)] for s, v in c.execute(q + ', value')]\n"
      "real = lambda v: repr(v) if isinstance(v, float) else v\n"
      "out['rows'] = [[*r[:5], real(r[5]), *r[6:]] for r in c.execute('select f.dir_name, f.file_name, t.tag, d.step, "
      "d.wall_time, '\n"
      "  'd.value, d.\"offset\", d.record from scalars_data d join files f using (file_id) '\n"
      "  'join tags t using (tag_id) order by d.seq')]\n"
      "out['in_key_order'] = [list(r) for r in c.execute('select file_id, tag_id, step, seq from scalars_data')]\n"
      "print(json.dumps(out))\n");
  for (const auto& [kind, sql] : j["sql"].items()) {
    CAPTURE(kind);
    CHECK(sql.get<std::string>().find("PRIMARY KEY (file_id, tag_id, step, seq)) WITHOUT ROWID") != std::string::npos);
    CHECK(j["pk"][kind] == json::parse(R"(["file_id","tag_id","step","seq"])"));
  }
  // A run's tag, by step, is a search of the primary key on both ids.
  bool by_key = false;
  for (const json& d : j["plan"])
    by_key = by_key || d.get<std::string>().find("USING PRIMARY KEY (file_id=? AND tag_id=?)") != std::string::npos;
  CAPTURE(j["plan"]);
  CHECK(by_key);
  CHECK(j["a"].dump() == R"([[0,"-0.5"],[1,"-1.5"],[2,"-2.5"],[3,"-3.5"],[4,"-4.5"],[4,"1.0"],[4,"2.0"],[5,"-5.5"]])");

  // seq numbers the rows of every kind 1, 2, ... in the order the export
  // writes them (JSON Lines order), and the scalars are the export's rows.
  const std::vector<json> rows = ExportJsonl({dir.path()});
  REQUIRE(j["seq"].size() == rows.size());
  const std::map<std::string, std::string> table = {
      {"scalar", "scalars"}, {"tensor", "tensors"}, {"histogram", "histograms"}, {"image", "images"},
      {"audio", "audio"},    {"text", "text"},      {"hparam", "hparams"},       {"metric", "metrics"}};
  for (size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CHECK(j["seq"][i][0] == i + 1);
    CHECK(j["seq"][i][1] == table.at(rows[i]["kind"].get<std::string>()));
  }
  const std::vector<json> scalars = OfKind(rows, "scalar");
  REQUIRE(j["rows"].size() == scalars.size());
  for (size_t i = 0; i < scalars.size(); ++i) {
    CAPTURE(i);
    const json& want = scalars[i];
    const json& have = j["rows"][i];
    CHECK(have[0] == want["dir_name"]);
    CHECK(have[1] == want["file_name"]);
    CHECK(have[2] == want["tag"]);
    CHECK(have[3] == want["step"]);
    CHECK(have[4].get<double>() == want["wall_time"].get<double>());
    if (have[5].is_null()) {
      CHECK(want["value"] == "NaN");  // SQLite has no NaN
    } else if (have[5].is_number_integer()) {
      CHECK(have[5] == want["value"]);
    } else {  // a REAL, as Python's repr
      const double d = std::strtod(have[5].get<std::string>().c_str(), nullptr);
      const bool as_float32 =
          static_cast<double>(static_cast<float>(d)) == d && SameFloat(static_cast<float>(d), AsFloat(want["value"]));
      CHECK((as_float32 || (want["value"].is_number() && d == want["value"].get<double>())));
    }
    CHECK(have[6] == want["offset"]);
    CHECK(have[7] == want["record"]);
  }
  // The table is stored in key order.
  const json& keys = j["in_key_order"];
  for (size_t i = 1; i < keys.size(); ++i) {
    CAPTURE(i);
    CHECK(keys[i - 1] < keys[i]);
  }
}

TEST_CASE("query: aligned table, csv and json, and the seed questions") {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    std::vector<std::string> p = {events::TorchHeader(kWall)};
    for (int s = 0; s < 3; ++s) p.push_back(events::Scalar(kWall + s, s, "val/acc", 0.5f + 0.1f * s + 0.05f * run));
    if (run == 0) p.push_back(events::Scalar(kWall, 0, "train/loss", 1.0f));
    WriteFile(dir / ("r" + std::to_string(run) + "/events.out.tfevents.1795298000.host.1.0"), Frame(p));
  }
  const std::string best =
      "SELECT dir_name, max(value) AS best FROM scalars WHERE tag = 'val/acc' GROUP BY dir_name ORDER BY dir_name";
  const CliResult table = RunCli({"query", dir.path(), best});
  CAPTURE(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out == "dir_name  best\nr0        0.699999988079071\nr1        0.75\n");
  const CliResult csv = RunCli({"query", "--format", "csv", dir.path(), best});
  CHECK(csv.out == "dir_name,best\r\nr0,0.699999988079071\r\nr1,0.75\r\n");
  const CliResult js = RunCli({"query", "--format", "json", dir.path(), best});
  CHECK(json::parse(js.out) == json::parse(R"([{"dir_name":"r0","best":0.699999988079071},
                                              {"dir_name":"r1","best":0.75}])"));
  const CliResult missing = RunCli(
      {"query", "--format", "csv", dir.path(),
       "SELECT dir_name FROM runs WHERE dir_name NOT IN (SELECT dir_name FROM scalars WHERE tag = 'train/loss')"});
  CHECK(missing.out == "dir_name\r\nr1\r\n");
  // --db FILE replaces an earlier export's tables and views (twice, the second over the first).
  const std::string db = dir / "q.db";
  for (int i = 0; i < 2; ++i) {
    const CliResult kept = RunCli({"query", "--db", db, "--format", "csv", dir.path(),
                                   "SELECT count(*) AS n, count(DISTINCT tag) AS tags FROM scalars"});
    CAPTURE(kept.err);
    CHECK(kept.out == "n,tags\r\n7,2\r\n");
  }
  const CliResult bad = RunCli({"query", dir.path(), "SELECT nope FROM scalars"});
  CHECK(bad.exit_code == kExitUsage);
  CHECK(bad.err.find("no such column") != std::string::npos);
}

TEST_CASE("export: --pivot gives tbparse's wide form of the scalars") {
  TempDir dir;
  WriteFile(dir / "events.out.tfevents.1795298000.host",
            Frame({events::PlainHeader(kWall), events::Scalar(kWall, 0, "b", 1.0f), events::Scalar(kWall, 0, "a", 0.1f),
                   events::Scalar(kWall + 1, 1, "a", 2.0f), events::Scalar(kWall + 2, 1, "a", 3.0f)}));
  const CliResult r = RunCli({"export", "--pivot", "--format", "csv", dir.path()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string w = std::to_string(static_cast<int64_t>(kWall));
  CHECK(r.out ==
        "step,a,b,wall_time,dir_name,file_name\r\n"
        "0,0.1,1,\"[" +
            w + "," + w +
            "]\",,events.out.tfevents.1795298000.host\r\n"
            "1,\"[2,3]\",," +
            "\"[" + std::to_string(static_cast<int64_t>(kWall) + 1) + "," +
            std::to_string(static_cast<int64_t>(kWall) + 2) + "]\",,events.out.tfevents.1795298000.host\r\n");
}

// Every Summary.Value simple_value of a file, read with the generated protobuf
// classes (an independent decoder), as (tag, step, value).
std::vector<std::tuple<std::string, int64_t, float>> ProtobufScalars(const std::string& path, bool* damaged) {
  std::vector<std::tuple<std::string, int64_t, float>> out;
  const std::string bytes = ReadFile(path);
  MemorySource src(bytes);
  RecordReader reader(&src);
  Record rec;
  *damaged = false;
  std::map<std::string, std::string> plugin;  // first metadata of each tag
  while (reader.Next(&rec)) {
    if (rec.kind != RecordKind::kOk) {
      *damaged = true;
      break;
    }
    tensorboard::Event e;
    if (!e.ParseFromArray(rec.payload.data(), static_cast<int>(rec.payload.size()))) {
      *damaged = true;
      continue;
    }
    for (const auto& v : e.summary().value()) {
      if (v.has_metadata()) plugin.emplace(v.tag(), v.metadata().plugin_data().plugin_name());
      if (v.value_case() == tensorboard::Summary::Value::kSimpleValue) {
        out.emplace_back(v.tag(), e.step(), v.simple_value());
      } else if (v.value_case() == tensorboard::Summary::Value::kTensor && plugin[v.tag()] == "scalars" &&
                 v.tensor().dtype() == tensorboard::DT_FLOAT) {
        const auto& t = v.tensor();
        float x = t.float_val_size() == 1 ? t.float_val(0) : 0;
        if (t.tensor_content().size() == 4) std::memcpy(&x, t.tensor_content().data(), 4);
        out.emplace_back(v.tag(), e.step(), x);
      }
    }
  }
  return out;
}

TEST_CASE("export: the corpus exports in both views, and its scalars equal an independent protobuf decode") {
  namespace fs = boost::filesystem;
  int files_compared = 0;
  for (fs::directory_iterator it(SourceDir() + "/fixtures/corpus/cases"), end; it != end; ++it) {
    const std::string cas = it->path().string();
    CAPTURE(cas);
    for (const char* view : {"raw", "tensorboard"}) {
      const CliResult r = RunCli({"export", "--view", view, cas});
      CHECK(r.exit_code == 0);
      Lines(r.out);
    }
    const std::vector<json> rows = Lines(RunCli({"export", "--kinds", "scalars", cas}).out);
    for (fs::recursive_directory_iterator f(cas), fend; f != fend; ++f) {
      if (!fs::is_regular_file(f->path()) || f->path().filename().string().find("tfevents") == std::string::npos) {
        continue;
      }
      bool damaged;
      const auto expected = ProtobufScalars(f->path().string(), &damaged);
      if (damaged) continue;
      const std::string name = f->path().filename().string();
      std::string run = fs::relative(f->path().parent_path(), cas).string();
      if (run == ".") run = "";
      std::vector<std::tuple<std::string, int64_t, float>> got;
      for (const json& row : rows) {
        if (row["file_name"] == name && row["dir_name"] == run && row["value"].is_primitive()) {
          got.emplace_back(row["tag"].get<std::string>(), row["step"].get<int64_t>(), AsFloat(row["value"]));
        }
      }
      CAPTURE(f->path().string());
      REQUIRE(got.size() == expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        CHECK(std::get<0>(got[i]) == std::get<0>(expected[i]));
        CHECK(std::get<1>(got[i]) == std::get<1>(expected[i]));
        CHECK(SameFloat(std::get<2>(got[i]), std::get<2>(expected[i])));
      }
      ++files_compared;
    }
  }
  CHECK(files_compared > 20);
}

}  // namespace
}  // namespace tblint::test
