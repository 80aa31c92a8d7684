// tblint_make_fixtures: writes the rule fixtures (fixtures/rules/TBxxx/{bad,good}/<case>/)
// and the demo logdir (fixtures/demo/). The checked-in files are this
// program's output; every corruption is made here, in code, so a reader can
// see exactly what each fixture holds (docs: style.md, "Tests").
//
//   tblint_make_fixtures <fixtures-dir>           (re)writes <dir>/rules and <dir>/demo
//   tblint_make_fixtures --check <fixtures-dir>   regenerates into a temporary
//                                                 directory and fails unless the
//                                                 committed files are identical
//
// Output is deterministic: fixed wall times (1795298000.0 + i, in the past),
// fixed names, no randomness. Damage is made the leveldb way: write valid
// records with the real writer (tblint::AppendRecord), then damage the bytes
// with small named helpers (TruncateTo, FlipBit, ZeroFrom, AppendZeros,
// InsertGarbage).
//
// Each case directory is the logdir a test lints. Beside its files lies
// expected.json:
//   {"rule": "TB101", "kind": "bad", "case": "...", "description": "...",
//    "options": {"max_record_mib": 0.001},            (optional)
//    "findings": [{"code": "TB101", "path": "train/events...", "severity": "error",
//                  "offset": 230, "record": 6}]}      (offset, record optional)
// "path" is relative to the case directory ("." for the logdir itself).
// Good cases list no findings. Tests set every file's mtime an hour into the
// past before linting (git does not keep mtimes; a fresh mtime makes a
// truncated tail look like a live writer).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "event.pb.h"
#include "event_builders.h"
#include "record/record_reader.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr double kT0 = 1795298000.0;  // 2026-11-21 21:53:20 UTC, in the past
constexpr double kYear2100 = 4102444800.0;

// ---------------------------------------------------------------------------
// Events, as real writers produce them: tools/event_builders.h.

using namespace tblint::events;  // NOLINT: the generator is made of these

std::string EventWithFileVersion(double wall_time, const std::string& version) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_file_version(version);
  return Serialize(e);
}

// ---------------------------------------------------------------------------
// An event file under construction: records plus where each one starts.

class EventFile {
 public:
  // Appends one record framed by tblint's own writer; returns its index.
  size_t Add(const std::string& payload) {
    offsets_.push_back(bytes_.size());
    tblint::AppendRecord(&bytes_, payload);
    ends_.push_back(bytes_.size());
    return offsets_.size() - 1;
  }
  // Appends raw bytes (already framed, or not).
  void AddRaw(const std::string& bytes) { bytes_ += bytes; }

  uint64_t Offset(size_t record) const { return offsets_.at(record); }
  uint64_t End(size_t record) const { return ends_.at(record); }
  uint64_t PayloadOffset(size_t record) const { return offsets_.at(record) + tblint::kHeaderSize; }
  uint64_t PayloadSize(size_t record) const { return End(record) - Offset(record) - tblint::kFramingSize; }
  size_t records() const { return offsets_.size(); }
  // Index of the record holding byte `offset`.
  size_t RecordAt(uint64_t offset) const {
    for (size_t i = 0; i < offsets_.size(); ++i) {
      if (offset >= offsets_[i] && offset < ends_[i]) return i;
    }
    throw std::runtime_error("no record holds offset " + std::to_string(offset));
  }

  std::string& bytes() { return bytes_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  std::vector<uint64_t> offsets_;
  std::vector<uint64_t> ends_;
};

// A file as a torch SummaryWriter leaves it: header, then `n` scalar steps of
// "loss" (one record each).
EventFile TorchRun(int n, double t0 = kT0, const std::string& tag = "train/loss") {
  EventFile f;
  f.Add(TorchHeader(t0));
  for (int i = 0; i < n; ++i) f.Add(Scalar(t0 + 1 + i, i, tag, 2.0f / (1.0f + 0.25f * i)));
  return f;
}

// The same from tensorboardX: a 40-byte header.
EventFile TbxRun(int n, double t0 = kT0, const std::string& tag = "loss") {
  EventFile f;
  f.Add(PlainHeader(t0));
  for (int i = 0; i < n; ++i) f.Add(Scalar(t0 + 1 + i, i, tag, 2.0f / (1.0f + 0.25f * i)));
  return f;
}

// ---------------------------------------------------------------------------
// Damage, leveldb style. Each says what it does to the bytes.

// Cuts the file at `size` bytes (a writer killed mid-write).
void TruncateTo(std::string* bytes, uint64_t size) {
  if (size > bytes->size()) throw std::runtime_error("TruncateTo past the end");
  bytes->resize(size);
}

// Inverts bit `bit` (0-7) of byte `offset` (a bit flip on disk or in transit).
void FlipBit(std::string* bytes, uint64_t offset, int bit) {
  (*bytes).at(offset) = static_cast<char>(static_cast<uint8_t>((*bytes)[offset]) ^ (1u << bit));
}

// Overwrites everything from `offset` to the end with zeros, keeping the size
// (the file size reached the disk, the data blocks did not).
void ZeroFrom(std::string* bytes, uint64_t offset) {
  if (offset > bytes->size()) throw std::runtime_error("ZeroFrom past the end");
  std::fill(bytes->begin() + static_cast<std::ptrdiff_t>(offset), bytes->end(), '\0');
}

// Appends `n` zero bytes (the size was extended, nothing written into it).
void AppendZeros(std::string* bytes, uint64_t n) { bytes->append(n, '\0'); }

// Inserts `garbage` at `offset`, shifting what follows.
void InsertGarbage(std::string* bytes, uint64_t offset, const std::string& garbage) { bytes->insert(offset, garbage); }

// ---------------------------------------------------------------------------
// Small encoders for the impostor files of TB106.

uint32_t Crc32(const std::string& data) {  // zlib's CRC-32 (gzip, zip)
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A valid gzip member holding `data` in one stored (uncompressed) deflate block.
std::string Gzip(const std::string& data) {
  std::string out("\x1f\x8b\x08\x00", 4);  // magic, deflate, no flags
  PutLE(&out, 0, 4);                       // mtime 0: deterministic
  out += std::string("\x00\x03", 2);       // xfl, OS = Unix
  out.push_back('\x01');                   // final block, stored
  PutLE(&out, data.size(), 2);
  PutLE(&out, ~data.size() & 0xFFFF, 2);
  out += data;
  PutLE(&out, Crc32(data), 4);
  PutLE(&out, data.size(), 4);
  return out;
}

// A valid zip archive holding one stored file.
std::string Zip(const std::string& name, const std::string& data) {
  std::string local("PK\x03\x04", 4);
  PutLE(&local, 10, 2);    // version needed
  PutLE(&local, 0, 2);     // flags
  PutLE(&local, 0, 2);     // stored
  PutLE(&local, 0, 2);     // time
  PutLE(&local, 0x21, 2);  // date 1980-01-01
  PutLE(&local, Crc32(data), 4);
  PutLE(&local, data.size(), 4);
  PutLE(&local, data.size(), 4);
  PutLE(&local, name.size(), 2);
  PutLE(&local, 0, 2);
  local += name + data;
  std::string central("PK\x01\x02", 4);
  PutLE(&central, 0x031E, 2);  // made by: Unix, 3.0
  PutLE(&central, 10, 2);
  PutLE(&central, 0, 2);
  PutLE(&central, 0, 2);
  PutLE(&central, 0, 2);
  PutLE(&central, 0x21, 2);
  PutLE(&central, Crc32(data), 4);
  PutLE(&central, data.size(), 4);
  PutLE(&central, data.size(), 4);
  PutLE(&central, name.size(), 2);
  PutLE(&central, 0, 2);  // extra
  PutLE(&central, 0, 2);  // comment
  PutLE(&central, 0, 2);  // disk
  PutLE(&central, 0, 2);  // internal attributes
  PutLE(&central, 0100644u << 16, 4);
  PutLE(&central, 0, 4);  // local header offset
  central += name;
  std::string end("PK\x05\x06", 4);
  PutLE(&end, 0, 2);
  PutLE(&end, 0, 2);
  PutLE(&end, 1, 2);
  PutLE(&end, 1, 2);
  PutLE(&end, central.size(), 4);
  PutLE(&end, local.size(), 4);
  PutLE(&end, 0, 2);
  return local + central + end;
}

// A NumPy .npy file of float32 values (binary, with NUL bytes, not TFRecord).
std::string Npy(int n) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  PutLE(&out, header.size(), 2);
  out += header;
  for (int i = 0; i < n; ++i) {
    const float v = 1.0f / static_cast<float>(i + 1);
    uint32_t raw;
    std::memcpy(&raw, &v, 4);
    PutLE(&out, raw, 4);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Writing cases.

struct Expected {
  std::string code;
  std::string path;
  std::string severity;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> record;
};

void WriteBytes(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

class Case {
 public:
  Case(const fs::path& root, const std::string& rule, const std::string& kind, const std::string& name,
       const std::string& description)
      : dir_(root / "rules" / rule / kind / name), rule_(rule), kind_(kind), name_(name), description_(description) {
    fs::create_directories(dir_);
  }
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;
  ~Case() {
    try {
      Finish();
    } catch (const std::exception& e) {
      std::cerr << "tblint_make_fixtures: " << e.what() << "\n";
      std::exit(1);
    }
  }

  void File(const std::string& rel, const std::string& bytes) { WriteBytes(dir_ / rel, bytes); }
  void File(const std::string& rel, const EventFile& f) { File(rel, f.bytes()); }
  void Dir(const std::string& rel) { fs::create_directories(dir_ / rel); }
  void Symlink(const std::string& rel, const std::string& target) {
    fs::create_directories((dir_ / rel).parent_path());
    fs::create_symlink(target, dir_ / rel);
  }
  void Option(const std::string& key, Json value) { options_[key] = std::move(value); }
  void Expect(const std::string& code, const std::string& path, const std::string& severity,
              std::optional<uint64_t> offset = std::nullopt, std::optional<uint64_t> record = std::nullopt) {
    if (kind_ != "bad") throw std::runtime_error(name_ + ": a good case expects nothing");
    expected_.push_back({code, path, severity, offset, record});
  }

 private:
  void Finish() {
    if (kind_ == "bad" && expected_.empty()) throw std::runtime_error(name_ + ": a bad case needs findings");
    Json j;
    j["rule"] = rule_;
    j["kind"] = kind_;
    j["case"] = name_;
    j["description"] = description_;
    if (!options_.empty()) j["options"] = options_;
    Json findings = Json::array();
    for (const Expected& e : expected_) {
      Json f;
      f["code"] = e.code;
      f["path"] = e.path;
      f["severity"] = e.severity;
      if (e.offset) f["offset"] = *e.offset;
      if (e.record) f["record"] = *e.record;
      findings.push_back(std::move(f));
    }
    j["findings"] = std::move(findings);
    WriteBytes(dir_ / "expected.json", j.dump(2) + "\n");
  }

  fs::path dir_;
  std::string rule_, kind_, name_, description_;
  Json options_ = Json::object();
  std::vector<Expected> expected_;
};

// File names as the writers make them (format.md, "What real writers produce").
const std::string kTorchName = "events.out.tfevents.1795298000.gpu-node-1.4242.0";
const std::string kTbxName = "events.out.tfevents.1795298000.gpu-node-2";
const std::string kTorchFile = "train/" + kTorchName;
const std::string kTbxFile = "train/" + kTbxName;

// ---------------------------------------------------------------------------
// TB1xx: record integrity.

void MakeTB101(const fs::path& root) {
  {
    Case c(root, "TB101", "bad", "truncated_in_length",
           "a torch writer killed 5 bytes into the 8-byte length of its last record (record 8)");
    EventFile f = TorchRun(7);
    const size_t last = f.Add(Scalar(kT0 + 8, 7, "train/loss", 0.25f));
    TruncateTo(&f.bytes(), f.Offset(last) + 5);
    c.File(kTorchFile, f);
    c.Expect("TB101", kTorchFile, "error", f.Offset(last), last);
  }
  {
    Case c(root, "TB101", "bad", "truncated_in_length_crc",
           "the file ends 2 bytes into the 4-byte length CRC of its last record");
    EventFile f = TorchRun(7);
    const size_t last = f.Add(Scalar(kT0 + 8, 7, "train/loss", 0.25f));
    TruncateTo(&f.bytes(), f.Offset(last) + 8 + 2);
    c.File(kTorchFile, f);
    c.Expect("TB101", kTorchFile, "error", f.Offset(last), last);
  }
  {
    Case c(root, "TB101", "bad", "truncated_in_payload",
           "the file ends halfway through the payload of its last record");
    EventFile f = TorchRun(7);
    const size_t last = f.Add(Histogram(kT0 + 8, 7, "train/weights", 0.0));
    TruncateTo(&f.bytes(), f.PayloadOffset(last) + f.PayloadSize(last) / 2);
    c.File(kTorchFile, f);
    c.Expect("TB101", kTorchFile, "error", f.Offset(last), last);
  }
  {
    Case c(root, "TB101", "bad", "truncated_in_data_crc",
           "the payload is whole but the file ends 2 bytes into the 4-byte data CRC");
    EventFile f = TorchRun(7);
    const size_t last = f.Add(Scalar(kT0 + 8, 7, "train/loss", 0.25f));
    TruncateTo(&f.bytes(), f.End(last) - 2);
    c.File(kTorchFile, f);
    c.Expect("TB101", kTorchFile, "error", f.Offset(last), last);
  }
  {
    Case c(root, "TB101", "bad", "tensorboardx_killed_at_4k_block",
           "a killed tensorboardX writer: it buffers 4 KiB blocks, so the file ends at byte 4096, "
           "inside a record");
    EventFile f = TbxRun(150);
    const size_t cut_record = f.RecordAt(4096);
    if (f.Offset(cut_record) == 4096) throw std::runtime_error("4096 is a record boundary");
    TruncateTo(&f.bytes(), 4096);
    c.File(kTbxFile, f);
    c.Expect("TB101", kTbxFile, "error", f.Offset(cut_record), cut_record);
  }
  {
    Case c(root, "TB101", "bad", "truncated_first_record",
           "the file ends inside its very first record (the header); the fix leaves a 0-byte file");
    EventFile f = TorchRun(0);
    TruncateTo(&f.bytes(), 30);
    c.File(kTorchFile, f);
    c.Expect("TB101", kTorchFile, "error", 0, 0);
  }
  {
    Case c(root, "TB101", "good", "complete_torch_file", "every record is whole");
    c.File(kTorchFile, TorchRun(8));
  }
  {
    Case c(root, "TB101", "good", "complete_tensorboardx_file", "a tensorboardX file that was closed properly");
    c.File(kTbxFile, TbxRun(20));
  }
}

void MakeTB102(const fs::path& root) {
  {
    Case c(root, "TB102", "bad", "zero_tail_after_last_record",
           "after a power loss the size was extended to 4096 bytes but nothing was written into the "
           "extension: zeros follow the last whole record");
    EventFile f = TorchRun(6);
    const uint64_t end = f.bytes().size();
    AppendZeros(&f.bytes(), 4096 - end);
    c.File(kTorchFile, f);
    c.Expect("TB102", kTorchFile, "error", end, f.records());
  }
  {
    Case c(root, "TB102", "bad", "zeros_overwrite_records",
           "records 5 to 8 never reached the disk: zeros from the start of record 5 to the end, "
           "the file size unchanged");
    EventFile f = TorchRun(8);
    ZeroFrom(&f.bytes(), f.Offset(5));
    c.File(kTorchFile, f);
    c.Expect("TB102", kTorchFile, "error", f.Offset(5), 5);
  }
  {
    Case c(root, "TB102", "bad", "zeros_from_4k_block_inside_a_record",
           "power loss: the file was extended to 8192 bytes but only its first 4 KiB block reached "
           "the disk, so zeros start at byte 4096, inside a record; the finding (and the fix) "
           "start at that record");
    EventFile f = TorchRun(110);
    const size_t hit = f.RecordAt(4096);
    if (f.Offset(hit) == 4096) throw std::runtime_error("4096 is a record boundary");
    AppendZeros(&f.bytes(), 8192 - f.bytes().size());
    ZeroFrom(&f.bytes(), 4096);
    c.File(kTorchFile, f);
    c.Expect("TB102", kTorchFile, "error", f.Offset(hit), hit);
  }
  {
    Case c(root, "TB102", "bad", "all_zeros",
           "the whole file is zeros (not even the header reached the disk); the fix leaves a "
           "0-byte file");
    std::string bytes;
    AppendZeros(&bytes, 4096);
    c.File(kTorchFile, bytes);
    c.Expect("TB102", kTorchFile, "error", 0, 0);
  }
  {
    Case c(root, "TB102", "good", "zero_values_in_payloads",
           "scalars of 0.0 at step 0 and an all-zero tensor: zero bytes inside records are not a "
           "zero-filled tail");
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(Scalar(kT0 + 1, 0, "train/grad_norm", 0.0f));
    f.Add(TensorScalar(kT0 + 2, 0, "train/skipped", 0.0f));
    f.Add(Scalar(kT0 + 3, 1, "train/grad_norm", 0.0f));
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB102", "good", "complete_file", "no zeros at the end");
    c.File(kTorchFile, TorchRun(6));
  }
}

void MakeTB103(const fs::path& root) {
  {
    Case c(root, "TB103", "bad", "length_bitflip_with_records_after",
           "one bit of record 3's length is flipped; records 4 to 9 behind it are intact and a "
           "resynchronising scan finds them");
    EventFile f = TorchRun(9);
    FlipBit(&f.bytes(), f.Offset(3) + 1, 2);  // length byte 1: +1024 bytes
    c.File(kTorchFile, f);
    c.Expect("TB103", kTorchFile, "error", f.Offset(3), 3);
  }
  {
    Case c(root, "TB103", "bad", "length_crc_bitflip",
           "a bit of record 5's stored length CRC is flipped: the length itself is right but "
           "cannot be trusted");
    EventFile f = TorchRun(9);
    FlipBit(&f.bytes(), f.Offset(5) + 9, 6);
    c.File(kTorchFile, f);
    c.Expect("TB103", kTorchFile, "error", f.Offset(5), 5);
  }
  {
    Case c(root, "TB103", "bad", "first_record_length_bitflip",
           "the header record's length is damaged; every later record is intact (not an impostor "
           "file: TB106 stays quiet)");
    EventFile f = TorchRun(6);
    FlipBit(&f.bytes(), 0, 5);
    c.File(kTorchFile, f);
    c.Expect("TB103", kTorchFile, "error", 0, 0);
  }
  {
    Case c(root, "TB103", "bad", "last_record_length_bitflip",
           "the last record's length is damaged and nothing follows it");
    EventFile f = TorchRun(6);
    FlipBit(&f.bytes(), f.Offset(6), 3);
    c.File(kTorchFile, f);
    c.Expect("TB103", kTorchFile, "error", f.Offset(6), 6);
  }
  {
    Case c(root, "TB103", "bad", "garbage_between_records",
           "a stray log line landed between records 3 and 4 (a second process wrote into the "
           "file); the 8 bytes at record 4's offset are text, not a length");
    EventFile f = TorchRun(8);
    const uint64_t at = f.Offset(4);
    InsertGarbage(&f.bytes(), at, "WARNING: NCCL timeout, retrying\n");
    c.File(kTorchFile, f);
    c.Expect("TB103", kTorchFile, "error", at, 4);
  }
  {
    Case c(root, "TB103", "good", "complete_file", "every length CRC checks");
    c.File(kTorchFile, TorchRun(9));
  }
}

void MakeTB104(const fs::path& root) {
  {
    Case c(root, "TB104", "bad", "payload_bitflip",
           "one bit of record 3's payload (inside the float value) is flipped; the payload still "
           "decodes");
    EventFile f = TorchRun(6);
    FlipBit(&f.bytes(), f.End(3) - 4 - 2, 1);  // a byte of the simple_value
    c.File(kTorchFile, f);
    c.Expect("TB104", kTorchFile, "error", f.Offset(3), 3);
  }
  {
    Case c(root, "TB104", "bad", "data_crc_bitflip",
           "the payload of record 2 is intact, a bit of its stored data CRC is flipped");
    EventFile f = TorchRun(6);
    FlipBit(&f.bytes(), f.End(2) - 1, 7);
    c.File(kTorchFile, f);
    c.Expect("TB104", kTorchFile, "error", f.Offset(2), 2);
  }
  {
    Case c(root, "TB104", "bad", "two_damaged_records",
           "records 2 and 5 each have a flipped payload bit: one finding each");
    EventFile f = TorchRun(7);
    FlipBit(&f.bytes(), f.PayloadOffset(2) + 3, 0);
    FlipBit(&f.bytes(), f.PayloadOffset(5) + 3, 0);
    c.File(kTorchFile, f);
    c.Expect("TB104", kTorchFile, "error", f.Offset(2), 2);
    c.Expect("TB104", kTorchFile, "error", f.Offset(5), 5);
  }
  {
    Case c(root, "TB104", "good", "complete_file", "every data CRC checks");
    c.File(kTorchFile, TorchRun(7));
  }
}

void MakeTB105(const fs::path& root) {
  {
    Case c(root, "TB105", "bad", "text_payload",
           "record 3 is well framed with valid CRCs but its payload is a line of text, not an Event");
    EventFile f = TorchRun(2);
    const size_t bad = f.Add("step 2: loss=0.731 (this line went to the wrong file)");
    f.Add(Scalar(kT0 + 4, 3, "train/loss", 0.5f));
    c.File(kTorchFile, f);
    c.Expect("TB105", kTorchFile, "error", f.Offset(bad), bad);
  }
  {
    Case c(root, "TB105", "bad", "truncated_protobuf",
           "record 2's payload is an Event cut short inside its summary (the frame and CRCs were "
           "computed over the cut bytes)");
    EventFile f = TorchRun(1);
    std::string event = Histogram(kT0 + 2, 1, "train/weights", 0.0);
    TruncateTo(&event, event.size() - 7);
    const size_t bad = f.Add(event);
    f.Add(Scalar(kT0 + 3, 2, "train/loss", 0.5f));
    c.File(kTorchFile, f);
    c.Expect("TB105", kTorchFile, "error", f.Offset(bad), bad);
  }
  {
    Case c(root, "TB105", "good", "unknown_field",
           "record 2 carries a field this Event schema does not know (number 99, as a newer writer "
           "might add): protobuf keeps it as an unknown field, so the payload is still an Event");
    EventFile f = TorchRun(1);
    std::string event = Scalar(kT0 + 2, 1, "train/loss", 0.5f);
    event += std::string("\x98\x06\x01", 3);  // field 99, varint, value 1
    f.Add(event);
    f.Add(Scalar(kT0 + 3, 2, "train/loss", 0.4f));
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB105", "good", "complete_file", "every payload is an Event");
    c.File(kTorchFile, TorchRun(5));
  }
}

void MakeTB106(const fs::path& root) {
  const std::string inner = TorchRun(3).bytes();
  {
    Case c(root, "TB106", "bad", "gzip",
           "the event file was gzipped in place (e.g. by an archiving job) and kept its name");
    c.File(kTorchFile, Gzip(inner));
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "bad", "zip", "a zip archive saved under an event file's name");
    c.File(kTorchFile, Zip(kTorchName, inner));
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "bad", "git_lfs_pointer",
           "the logdir was cloned without `git lfs pull`: the file is the LFS pointer");
    c.File(kTorchFile,
           "version https://git-lfs.github.com/spec/v1\n"
           "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
           "size 48213\n");
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "bad", "html_error_page",
           "a download through a proxy saved its error page under the file's name");
    c.File(kTorchFile,
           "<!DOCTYPE html>\n<html>\n<head><title>403 Forbidden</title></head>\n"
           "<body><h1>403 Forbidden</h1><p>Request could not be satisfied.</p></body>\n</html>\n");
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "bad", "plain_text", "a training log redirected into a file named like an event file");
    c.File(kTorchFile,
           "epoch 1/10  step 100  loss 2.3021  lr 0.001\n"
           "epoch 1/10  step 200  loss 1.9843  lr 0.001\n"
           "epoch 1/10  step 300  loss 1.7710  lr 0.001\n");
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "bad", "unrecognised_binary",
           "a NumPy .npy array saved under an event file's name: binary, but not TFRecord");
    c.File(kTorchFile, Npy(64));
    c.Expect("TB106", kTorchFile, "error", 0);
  }
  {
    Case c(root, "TB106", "good", "event_file_beside_archives",
           "a real event file; archives and logs whose names lack 'tfevents' are not event files");
    c.File(kTorchFile, inner);
    c.File("train/logs.tar.gz", Gzip("epoch 1/10  step 100  loss 2.3021\n"));
    c.File("train/stdout.log", "epoch 1/10  step 100  loss 2.3021\n");
  }
  {
    Case c(root, "TB106", "good", "header_only_tensorboardx_file_is_tfrecord",
           "a 40-byte file holding one record is TFRecord, however short");
    EventFile f = TbxRun(1);
    c.File(kTbxFile, f);
  }
}

void MakeTB107(const fs::path& root) {
  // A real oversized record would be > 64 MiB; these cases lower the limit
  // instead (options.max_record_mib, the CLI's --max-record-mib, i.e.
  // LintOptions::oversized_record_bytes = 0.001 * 1048576 = 1048 bytes).
  constexpr double kTinyLimitMib = 0.001;
  {
    Case c(root, "TB107", "bad", "oversized_graph_def",
           "record 1 holds a 2000-byte graph_def, over a limit lowered to 0.001 MiB (1048 bytes) "
           "so the fixture stays small; run with --max-record-mib 0.001");
    c.Option("max_record_mib", kTinyLimitMib);
    EventFile f;
    f.Add(TorchHeader(kT0));
    const size_t big = f.Add(GraphDefEvent(kT0 + 1, 2000));
    f.Add(Scalar(kT0 + 2, 0, "train/loss", 1.0f));
    c.File(kTorchFile, f);
    c.Expect("TB107", kTorchFile, "warning", f.Offset(big), big);
  }
  {
    Case c(root, "TB107", "good", "under_lowered_limit",
           "with the limit lowered to 0.001 MiB (1048 bytes), a 900-byte graph_def is still under it");
    c.Option("max_record_mib", kTinyLimitMib);
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(GraphDefEvent(kT0 + 1, 900));
    f.Add(Scalar(kT0 + 2, 0, "train/loss", 1.0f));
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB107", "good", "default_limit",
           "the same 2000-byte graph_def as the bad case, under the default 64 MiB limit");
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(GraphDefEvent(kT0 + 1, 2000));
    f.Add(Scalar(kT0 + 2, 0, "train/loss", 1.0f));
    c.File(kTorchFile, f);
  }
}

// ---------------------------------------------------------------------------
// TB2xx: event content.

void MakeTB201(const fs::path& root) {
  {
    Case c(root, "TB201", "bad", "never_flushed_tensorboardx",
           "a tensorboardX writer created and never flushed or closed: a 0-byte file");
    c.File(kTbxFile, "");
    c.Expect("TB201", kTbxFile, "warning", 0);
  }
  {
    Case c(root, "TB201", "bad", "empty_file_beside_data",
           "a run with a good file and a second, empty one from a writer that died before its "
           "first flush");
    c.File(kTorchFile, TorchRun(4));
    const std::string empty = "train/events.out.tfevents.1795298100.gpu-node-1.4250.0";
    c.File(empty, "");
    c.Expect("TB201", empty, "warning", 0);
  }
  {
    Case c(root, "TB201", "good", "flushed_file", "the writer flushed: the file holds records");
    c.File(kTbxFile, TbxRun(3));
  }
}

void MakeTB202(const fs::path& root) {
  {
    Case c(root, "TB202", "bad", "header_only_torch",
           "a torch SummaryWriter was created (it flushes its 88-byte header at once) and the job "
           "ended before logging anything");
    c.File(kTorchFile, TorchRun(0));
    c.Expect("TB202", kTorchFile, "warning", 0);
  }
  {
    Case c(root, "TB202", "bad", "header_only_tensorboardx",
           "a 40-byte tensorboardX file holding only the file_version record");
    c.File(kTbxFile, TbxRun(0));
    c.Expect("TB202", kTbxFile, "warning", 0);
  }
  {
    Case c(root, "TB202", "good", "profile_empty",
           "the TF profiler writes a header-only *.profile-empty file on purpose");
    c.File("train/events.out.tfevents.1795298000.gpu-node-1.profile-empty", TbxRun(0));
  }
  {
    Case c(root, "TB202", "good", "header_and_one_scalar", "one scalar after the header is content");
    c.File(kTorchFile, TorchRun(1));
  }
  {
    Case c(root, "TB202", "good", "header_and_session_log", "a SessionLog START after the header is content too");
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(SessionLog(kT0 + 1, 0, tensorboard::SessionLog::START));
    c.File(kTorchFile, f);
  }
}

void MakeTB203(const fs::path& root) {
  {
    Case c(root, "TB203", "bad", "first_event_is_summary",
           "a hand-rolled writer that starts with a scalar and never writes file_version");
    EventFile f;
    for (int i = 0; i < 4; ++i) f.Add(Scalar(kT0 + i, i, "train/loss", 1.0f / (i + 1)));
    c.File(kTorchFile, f);
    c.Expect("TB203", kTorchFile, "warning", 0, 0);
  }
  {
    Case c(root, "TB203", "bad", "first_event_is_session_log",
           "the first event is a SessionLog START, the file_version event is missing");
    EventFile f;
    f.Add(SessionLog(kT0, 0, tensorboard::SessionLog::START));
    f.Add(Scalar(kT0 + 1, 0, "train/loss", 1.0f));
    c.File(kTorchFile, f);
    c.Expect("TB203", kTorchFile, "warning", 0, 0);
  }
  {
    Case c(root, "TB203", "bad", "unparsable_file_version",
           "the first event has file_version 'v2', not 'brain.Event:<version>'");
    EventFile f;
    f.Add(EventWithFileVersion(kT0, "v2"));
    f.Add(Scalar(kT0 + 1, 0, "train/loss", 1.0f));
    c.File(kTorchFile, f);
    c.Expect("TB203", kTorchFile, "warning", 0, 0);
  }
  {
    Case c(root, "TB203", "good", "torch_header", "torch's header: file_version plus source_metadata");
    c.File(kTorchFile, TorchRun(3));
  }
  {
    Case c(root, "TB203", "good", "tensorboardx_header", "tensorboardX's plain file_version header");
    c.File(kTbxFile, TbxRun(3));
  }
}

void MakeTB204(const fs::path& root) {
  struct Bad {
    const char* name;
    const char* description;
    double wall_time;
    const char* severity;
  };
  const Bad bads[] = {
      {"nan_wall_time", "record 3 has a NaN wall_time: the Rust data server drops the rest of the file",
       std::numeric_limits<double>::quiet_NaN(), "error"},
      {"negative_wall_time", "record 3 has wall_time -1", -1.0, "warning"},
      {"zero_wall_time", "record 3 has wall_time 0 (a writer that never set it)", 0.0, "warning"},
      {"infinite_wall_time", "record 3 has an infinite wall_time", std::numeric_limits<double>::infinity(), "warning"},
      {"far_future_wall_time",
       "record 3 has wall_time 4102444800 (2100-01-01), far more than a day after any mtime the "
       "tests give the file",
       kYear2100, "warning"},
  };
  for (const Bad& b : bads) {
    Case c(root, "TB204", "bad", b.name, b.description);
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(Scalar(kT0 + 1, 0, "train/loss", 1.0f));
    f.Add(Scalar(kT0 + 2, 1, "train/loss", 0.9f));
    const size_t bad = f.Add(Scalar(b.wall_time, 2, "train/loss", 0.8f));
    f.Add(Scalar(kT0 + 4, 3, "train/loss", 0.7f));
    c.File(kTorchFile, f);
    c.Expect("TB204", kTorchFile, b.severity, f.Offset(bad), bad);
  }
  {
    Case c(root, "TB204", "good", "increasing_wall_times", "ordinary wall times, one second apart");
    c.File(kTorchFile, TorchRun(5));
  }
}

void MakeTB205(const fs::path& root) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Bad {
    const char* name;
    const char* description;
    bool tensor;
    float value;
  };
  const Bad bads[] = {
      {"simple_value_nan", "the loss diverged: simple_value NaN from step 3 on", false, nan},
      {"simple_value_inf", "simple_value +inf from step 3 on", false, inf},
      {"tensor_scalar_nan", "TF2-style tensor scalars (plugin 'scalars') with NaN from step 3 on", true, nan},
      {"tensor_scalar_neg_inf", "TF2-style tensor scalars with -inf from step 3 on", true, -inf},
  };
  for (const Bad& b : bads) {
    Case c(root, "TB205", "bad", b.name, b.description);
    EventFile f;
    f.Add(TorchHeader(kT0));
    size_t first_bad = 0;
    for (int step = 0; step < 6; ++step) {
      const float v = step < 3 ? 1.0f / (step + 1) : b.value;
      const size_t r = f.Add(b.tensor ? TensorScalar(kT0 + 1 + step, step, "train/loss", v)
                                      : Scalar(kT0 + 1 + step, step, "train/loss", v));
      if (step == 3) first_bad = r;
    }
    c.File(kTorchFile, f);
    c.Expect("TB205", kTorchFile, "warning", f.Offset(first_bad), first_bad);
  }
  {
    Case c(root, "TB205", "good", "finite_extremes",
           "the largest, smallest and subnormal floats, zero and negative zero are all finite");
    EventFile f;
    f.Add(TorchHeader(kT0));
    const float values[] = {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                            std::numeric_limits<float>::denorm_min(), 0.0f, -0.0f};
    int step = 0;
    for (float v : values) {
      f.Add(Scalar(kT0 + 1 + step, step, "train/loss", v));
      f.Add(TensorScalar(kT0 + 1 + step, step, "train/accuracy", v));
      ++step;
    }
    c.File(kTorchFile, f);
  }
}

// ---------------------------------------------------------------------------
// TB3xx: steps, and TB4xx: writers.

// Appends one scalar of `tag` per step in [from, to], `dt` seconds apart,
// starting at wall time `t`.
void AddSteps(EventFile* f, double t, int64_t from, int64_t to, const std::string& tag, double dt = 1.0) {
  for (int64_t s = from; s <= to; ++s) {
    f->Add(Scalar(t + dt * static_cast<double>(s - from), s, tag, 2.0f / (1.0f + 0.01f * static_cast<float>(s))));
  }
}

// What torch's SummaryWriter(purge_step=P) writes after its header: a
// file_version event at step P, then a SessionLog START at step P
// (torch/utils/tensorboard/writer.py).
void AddPurgeStep(EventFile* f, double wall_time, int64_t step) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  e.set_file_version("brain.Event:2");
  f->Add(Serialize(e));
  f->Add(SessionLog(wall_time, step, tensorboard::SessionLog::START));
}

// The file a resumed torch job writes beside kTorchName, 1000 s later.
const std::string kResumedName = "events.out.tfevents.1795299000.gpu-node-1.5310.0";
const std::string kResumedFile = "train/" + kResumedName;

void MakeTB301(const fs::path& root) {
  {
    Case c(root, "TB301", "bad", "same_step_logged_twice",
           "the training loop and a logging callback both log train/loss at every step: each "
           "(tag, step) pair is written twice, the steps never go back");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int s = 0; s < 10; ++s) {
      f.Add(Scalar(kT0 + 1 + s, s, "train/loss", 1.0f / static_cast<float>(s + 1)));
      f.Add(Scalar(kT0 + 1.5 + s, s, "train/loss", 1.0f / static_cast<float>(s + 1)));
    }
    c.File(kTorchFile, f);
    c.Expect("TB301", kTorchFile, "warning", f.Offset(2));
  }
  {
    Case c(root, "TB301", "bad", "step_reset_each_epoch",
           "the loop logs the batch index instead of the global step: 3 epochs of 20 batches, so "
           "the step goes back to 0 at each epoch and steps 0-19 are logged 3 times (TB302 too)");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int epoch = 0; epoch < 3; ++epoch) AddSteps(&f, kT0 + 1 + 20 * epoch, 0, 19, "train/loss");
    c.File(kTorchFile, f);
    c.Expect("TB301", kTorchFile, "warning", f.Offset(21));
    c.Expect("TB302", kTorchFile, "warning", f.Offset(21));
  }
  {
    Case c(root, "TB301", "good", "monotonic_steps", "one point per step, steps 0-19");
    c.File(kTorchFile, TorchRun(20));
  }
  {
    Case c(root, "TB301", "good", "purge_step_resume",
           "a job started with purge_step=0 logged steps 0-29; resumed from its step-20 checkpoint "
           "with purge_step=20 it wrote a new file: header, file_version at step 20, SessionLog "
           "START at 20, then steps 20-39 again. TensorBoard drops the old 20-29");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddPurgeStep(&a, kT0, 0);
    AddSteps(&a, kT0 + 1, 0, 29, "train/loss");
    c.File(kTorchFile, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddPurgeStep(&b, kT0 + 1000, 20);
    AddSteps(&b, kT0 + 1001, 20, 39, "train/loss");
    c.File(kResumedFile, b);
  }
}

void MakeTB302(const fs::path& root) {
  {
    Case c(root, "TB302", "bad", "reset_to_0",
           "a second trainer.fit() in the same process starts its step counter at 0 again while "
           "the same writer keeps logging: steps 0-9, then 0-4 (TB301 too)");
    EventFile f;
    f.Add(TorchHeader(kT0));
    AddSteps(&f, kT0 + 1, 0, 9, "train/loss");
    const size_t back = f.records();
    AddSteps(&f, kT0 + 20, 0, 4, "train/loss");
    c.File(kTorchFile, f);
    c.Expect("TB302", kTorchFile, "warning", f.Offset(back));
    c.Expect("TB301", kTorchFile, "warning", f.Offset(back));
  }
  {
    Case c(root, "TB302", "good", "sparse_but_increasing",
           "steps 0, 10, 50, 51, 200, 1000: gaps are fine as long as the step never goes back");
    EventFile f;
    f.Add(TorchHeader(kT0));
    int i = 0;
    for (int64_t s : {0, 10, 50, 51, 200, 1000}) f.Add(Scalar(kT0 + 1 + i++, s, "train/loss", 1.0f));
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB302", "good", "two_tags_each_increasing",
           "train/loss every step and eval/accuracy every 5 steps, each eval point written two steps "
           "late: the file's step order goes back across tags, but each tag's never does");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int s = 0; s < 20; ++s) {
      f.Add(Scalar(kT0 + 1 + s, s, "train/loss", 2.0f / static_cast<float>(s + 1)));
      if (s % 5 == 2 && s > 2) f.Add(Scalar(kT0 + 1.5 + s, s - 2, "eval/accuracy", 0.5f + 0.01f * s));
    }
    c.File(kTorchFile, f);
  }
}

void MakeTB303(const fs::path& root) {
  {
    Case c(root, "TB303", "bad", "resumed_run_relogs_110_150",
           "a torch job logged steps 0-150 and ended; restarted from its step-110 checkpoint with a "
           "new writer in the same run directory, it logged steps 110-160: 41 points re-logged");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddSteps(&a, kT0 + 1, 0, 150, "train/loss");
    c.File(kTorchFile, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddSteps(&b, kT0 + 1001, 110, 160, "train/loss");
    c.File(kResumedFile, b);
    c.Expect("TB303", "train", "warning");
  }
  {
    Case c(root, "TB303", "bad", "purge_step_without_earlier_start",
           "the resumed job passed purge_step=20, but the first job did not write a SessionLog START: "
           "the Python reader ignores a run's first START, so steps 20-30 are still drawn twice");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddSteps(&a, kT0 + 1, 0, 30, "train/loss");
    c.File(kTorchFile, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddPurgeStep(&b, kT0 + 1000, 20);
    AddSteps(&b, kT0 + 1001, 20, 40, "train/loss");
    c.File(kResumedFile, b);
    c.Expect("TB303", "train", "warning");
  }
  {
    Case c(root, "TB303", "good", "resume_continues_after_last_step",
           "the resumed job's new file starts at step 31, after the first file's last step 30");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddSteps(&a, kT0 + 1, 0, 30, "train/loss");
    c.File(kTorchFile, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddSteps(&b, kT0 + 1001, 31, 50, "train/loss");
    c.File(kResumedFile, b);
  }
  {
    Case c(root, "TB303", "good", "purge_step_resume_after_start",
           "both jobs passed purge_step (the first purge_step=0): the run already has a SessionLog "
           "START, so the resumed file's START at step 20 makes TensorBoard drop the old 20-30");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddPurgeStep(&a, kT0, 0);
    AddSteps(&a, kT0 + 1, 0, 30, "train/loss");
    c.File(kTorchFile, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddPurgeStep(&b, kT0 + 1000, 20);
    AddSteps(&b, kT0 + 1001, 20, 40, "train/loss");
    c.File(kResumedFile, b);
  }
}

void MakeTB401(const fs::path& root) {
  {
    Case c(root, "TB401", "bad", "second_file_version_mid_file",
           "a second process appended to the same file name: its file_version header (record 6) "
           "lands in the middle of the file, followed by its own points");
    EventFile f;
    f.Add(PlainHeader(kT0));
    AddSteps(&f, kT0 + 1, 0, 4, "train/loss");
    const size_t second = f.Add(PlainHeader(kT0 + 6));
    AddSteps(&f, kT0 + 7, 0, 4, "eval/accuracy");
    c.File(kTbxFile, f);
    c.Expect("TB401", kTbxFile, "error", f.Offset(second), second);
  }
  {
    Case c(root, "TB401", "bad", "same_second_collision",
           "two sweep trials started tensorboardX writers in the same second on one host, so both "
           "wrote this one file name and overwrote each other's flushed blocks: the steps run on, "
           "but blocks of 8 records alternate between the trials and the wall time jumps back "
           "0.4 s at each switch back to the first trial (3 times)");
    EventFile f;
    f.Add(PlainHeader(kT0));
    size_t first_jump = 0;
    for (int s = 0; s < 56; ++s) {
      const bool second_trial = (s / 8) % 2 == 1;  // started 0.5 s later
      const double t = kT0 + 1 + 0.1 * s + (second_trial ? 0.5 : 0.0);
      const float v = (second_trial ? 3.0f : 2.0f) / (1.0f + 0.1f * static_cast<float>(s));
      const size_t r = f.Add(Scalar(t, s, "loss", v));
      if (s == 16) first_jump = r;
    }
    c.File(kTbxFile, f);
    c.Expect("TB401", kTbxFile, "error", f.Offset(first_jump), first_jump);
  }
  {
    Case c(root, "TB401", "good", "purge_step_pair",
           "torch SummaryWriter(purge_step=50): after the header, a second file_version at step 50 "
           "immediately followed by a SessionLog START at step 50; one writer resuming, not two");
    EventFile f;
    f.Add(TorchHeader(kT0));
    AddPurgeStep(&f, kT0, 50);
    AddSteps(&f, kT0 + 1, 50, 59, "train/loss");
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB401", "good", "one_clock_adjustment",
           "the host clock was stepped back 2 s once (an NTP correction) halfway through: one "
           "backward wall-time jump is not two writers");
    EventFile f;
    f.Add(TorchHeader(kT0));
    AddSteps(&f, kT0 + 1, 0, 9, "train/loss");
    AddSteps(&f, kT0 + 8, 10, 19, "train/loss");
    c.File(kTorchFile, f);
  }
}

void MakeTB402(const fs::path& root) {
  const std::string trainer = "run/events.out.tfevents.1795298000.gpu-node-1.4242.0";
  {
    Case c(root, "TB402", "bad", "trainer_and_evaluator",
           "a trainer (pid 4242) and a separate evaluator process (pid 4250) each opened a torch "
           "SummaryWriter on run/ at the same time: two files with overlapping wall-time ranges");
    EventFile t;
    t.Add(TorchHeader(kT0));
    AddSteps(&t, kT0 + 1, 0, 29, "train/loss");
    c.File(trainer, t);
    EventFile e;
    e.Add(TorchHeader(kT0 + 5));
    for (int s = 10; s <= 30; s += 10) e.Add(Scalar(kT0 + 2 + s, s, "eval/accuracy", 0.5f + 0.01f * s));
    c.File("run/events.out.tfevents.1795298005.gpu-node-1.4250.0", e);
    c.Expect("TB402", "run", "warning");
  }
  {
    Case c(root, "TB402", "bad", "every_ddp_rank_logs",
           "a 2-GPU DistributedDataParallel job in which every rank creates a SummaryWriter on the "
           "same log_dir: rank 1's file logs rank 0's steps at the same time (TB303 too)");
    for (int rank = 0; rank < 2; ++rank) {
      EventFile f;
      f.Add(TorchHeader(kT0 + 0.01 * rank));
      for (int s = 0; s < 20; ++s) {
        f.Add(Scalar(kT0 + 1 + s + 0.01 * rank, s, "train/loss",
                     2.0f / (1.0f + 0.1f * static_cast<float>(s)) + 0.01f * static_cast<float>(rank)));
      }
      c.File("run/events.out.tfevents.1795298000.gpu-node-1." + std::to_string(4242 + rank) + ".0", f);
    }
    c.Expect("TB402", "run", "warning");
    c.Expect("TB303", "run", "warning");
  }
  {
    Case c(root, "TB402", "good", "sequential_files",
           "the job ended and was started again from its last step: the second file begins "
           "1000 s after the first one ends");
    EventFile a;
    a.Add(TorchHeader(kT0));
    AddSteps(&a, kT0 + 1, 0, 19, "train/loss");
    c.File(trainer, a);
    EventFile b;
    b.Add(TorchHeader(kT0 + 1000));
    AddSteps(&b, kT0 + 1001, 20, 39, "train/loss");
    c.File("run/" + kResumedName, b);
  }
  {
    Case c(root, "TB402", "good", "graph_only_writer",
           "while the trainer logs, a second writer in the same run writes only the model graph: "
           "a file with no tagged data is not counted as a concurrent writer");
    EventFile t;
    t.Add(TorchHeader(kT0));
    AddSteps(&t, kT0 + 1, 0, 29, "train/loss");
    c.File(trainer, t);
    EventFile g;
    g.Add(TorchHeader(kT0 + 5));
    g.Add(GraphDefEvent(kT0 + 6, 200));
    c.File("run/events.out.tfevents.1795298005.gpu-node-1.4250.0", g);
  }
}

// TB404: one process leaves many short files in a run: a SummaryWriter made
// inside the training loop. torch names its files
// events.out.tfevents.<secs>.<host>.<pid>.<counter>, the counter counting the
// writers the process made.
void MakeTB404(const fs::path& root) {
  // `n` files from pid 4242, file i made `dt` seconds after file i-1 and
  // holding `steps` steps from i * steps on; names as torch makes them,
  // with `suffix` (filename_suffix) appended.
  auto writers = [](Case& c, int n, double dt, int steps, const std::string& suffix) {
    for (int i = 0; i < n; ++i) {
      const double t = kT0 + dt * i;
      EventFile f;
      f.Add(TorchHeader(t));
      for (int s = 0; s < steps; ++s) {
        const int64_t step = static_cast<int64_t>(i) * steps + s;
        f.Add(Scalar(t + 0.001 * (s + 1), step, "train/loss", 2.0f / (1.0f + 0.1f * static_cast<float>(step))));
      }
      char secs[16];
      std::snprintf(secs, sizeof secs, "%.0f", std::floor(t));
      c.File("run/events.out.tfevents." + std::string(secs) + ".gpu-node-1.4242." + std::to_string(i) + suffix, f);
    }
  };
  {
    Case c(root, "TB404", "bad", "writer_per_step",
           "`for step in range(12): SummaryWriter('run').add_scalar('train/loss', loss, step)`: 12 files in one "
           "second, one step each; by name .10 and .11 sort before .2");
    writers(c, 12, 0.05, 1, "");
    c.Expect("TB404", "run", "warning");
  }
  {
    Case c(root, "TB404", "bad", "writer_per_epoch_never_closed",
           "a new SummaryWriter for each of 6 epochs, a minute apart, never closed: 6 files of 3 steps each, "
           "in order by name");
    writers(c, 6, 60, 3, "");
    c.Expect("TB404", "run", "warning");
  }
  {
    Case c(root, "TB404", "good", "one_writer_for_the_loop",
           "the writer is created once before the loop: one file with all 12 steps");
    writers(c, 1, 0, 12, "");
  }
  {
    Case c(root, "TB404", "good", "writer_per_epoch_with_filename_suffix",
           "a writer reopened per epoch on purpose, with filename_suffix='.epoch<N>': 6 files of 3 steps, "
           "named by the user");
    for (int i = 0; i < 6; ++i) {
      const double t = kT0 + 60.0 * i;
      EventFile f;
      f.Add(TorchHeader(t));
      AddSteps(&f, t + 1, 3 * i, 3 * i + 2, "train/loss");
      c.File("run/events.out.tfevents." + std::to_string(static_cast<int64_t>(t)) + ".gpu-node-1.4242." +
                 std::to_string(i) + ".epoch" + std::to_string(i),
             f);
    }
  }
  {
    Case c(root, "TB404", "good", "writer_per_epoch_with_many_steps",
           "a writer opened and closed per epoch, each file holding 50 steps: many steps per file");
    writers(c, 6, 100, 50, "");
  }
}

// A live writer cannot be stored in git: the bad case is a plain file that
// tests/rules_test.cc holds open for writing from a child process while it
// lints the copy.
void MakeTB403(const fs::path& root) {
  {
    Case c(root, "TB403", "bad", "held_open_by_a_running_writer",
           "a torch file whose last record is still being written (the file ends inside it). It is "
           "bad only while a process holds it open for writing, which git cannot store: the test "
           "starts such a process on the copy it lints. TB403 is then info, and so is TB101, which "
           "--fix refuses");
    EventFile f = TorchRun(7);
    const size_t last = f.Add(Scalar(kT0 + 8, 7, "train/loss", 0.25f));
    TruncateTo(&f.bytes(), f.PayloadOffset(last) + f.PayloadSize(last) / 2);
    c.File(kTorchFile, f);
    c.Expect("TB403", kTorchFile, "info");
    c.Expect("TB101", kTorchFile, "info", f.Offset(last), last);
  }
  {
    Case c(root, "TB403", "good", "no_running_writer", "a complete torch file that no process has open");
    c.File(kTorchFile, TorchRun(8));
  }
}

// ---------------------------------------------------------------------------
// TB5xx: layout and discovery. FIFOs, sockets and unreadable directories cannot
// be stored in git: tests/rules_test.cc makes those at test time.

void MakeTB501(const fs::path& root) {
  {
    Case c(root, "TB501", "bad", "five_levels_deep",
           "a run filed as projects/vision/resnet/lr-0.01/train: 5 levels below the logdir, more "
           "than the default max-depth 3");
    c.File("projects/vision/resnet/lr-0.01/train/" + kTorchName, TorchRun(4));
    c.Expect("TB501", "projects/vision/resnet/lr-0.01/train", "warning");
  }
  {
    Case c(root, "TB501", "bad", "add_hparams_timestamp_run",
           "torch's add_hparams wrote its hparams and metric into exp1/<time.time()>/, a run nested "
           "beside exp1's own event file (so TB502 fires on exp1 as well)");
    c.File("exp1/" + kTorchName, TorchRun(4));
    EventFile hp;
    hp.Add(TorchHeader(kT0 + 5));
    hp.Add(Scalar(kT0 + 5, 0, "hparam/accuracy", 0.75f));
    c.File("exp1/1795298005.4122984/events.out.tfevents.1795298005.gpu-node-1.4242.1", hp);
    c.Expect("TB501", "exp1/1795298005.4122984", "warning");
    c.Expect("TB502", "exp1", "warning");
  }
  {
    Case c(root, "TB501", "bad", "add_scalars_per_key_runs",
           "torch's add_scalars('loss/cmp', {'train': ..., 'val': ...}) wrote each key to its own run "
           "exp1/loss_cmp_train and exp1/loss_cmp_val, logging tag 'loss/cmp' there (TB502 fires on exp1)");
    c.File("exp1/" + kTorchName, TorchRun(4));
    c.File("exp1/loss_cmp_train/events.out.tfevents.1795298000.gpu-node-1.4242.1", TorchRun(4, kT0, "loss/cmp"));
    c.File("exp1/loss_cmp_val/events.out.tfevents.1795298000.gpu-node-1.4242.2", TorchRun(4, kT0, "loss/cmp"));
    c.Expect("TB501", "exp1/loss_cmp_train", "warning");
    c.Expect("TB501", "exp1/loss_cmp_val", "warning");
    c.Expect("TB502", "exp1", "warning");
  }
  {
    Case c(root, "TB501", "bad", "max_depth_option",
           "with max_depth 1 (--max-depth 1), exp1/train at depth 2 is too deep");
    c.Option("max_depth", 1);
    c.File("exp1/train/" + kTorchName, TorchRun(4));
    c.Expect("TB501", "exp1/train", "warning");
  }
  {
    Case c(root, "TB501", "good", "sweep_three_levels",
           "a sweep filed as lr/<value>/<split>: 3 levels, and '0.001' is a number, not a time.time() "
           "run name");
    c.File("lr/0.001/train/" + kTorchName, TorchRun(4));
    c.File("lr/0.001/eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", TorchRun(4, kT0, "eval/loss"));
    c.File("lr/0.01/train/events.out.tfevents.1795298100.gpu-node-1.4300.0", TorchRun(4, kT0 + 100));
  }
  {
    Case c(root, "TB501", "good", "runs_named_like_their_tags",
           "runs 'train' and 'train_augmented' log 'train/loss': neither directory is a tag plus "
           "'_<key>', so neither is an add_scalars run");
    c.File("train/" + kTorchName, TorchRun(4));
    c.File("train_augmented/events.out.tfevents.1795298100.gpu-node-1.4300.0", TorchRun(4, kT0 + 100));
  }
}

void MakeTB502(const fs::path& root) {
  {
    Case c(root, "TB502", "bad", "events_in_logdir_root",
           "a writer pointed at the logdir itself left its file beside the run_a/ and run_b/ runs");
    c.File("events.out.tfevents.1795298000.gpu-node-1.4242.0", TorchRun(4));
    c.File("run_a/events.out.tfevents.1795298100.gpu-node-1.4300.0", TorchRun(4, kT0 + 100));
    c.File("run_b/events.out.tfevents.1795298200.gpu-node-1.4350.0", TorchRun(4, kT0 + 200));
    c.Expect("TB502", ".", "warning");
  }
  {
    Case c(root, "TB502", "bad", "run_with_nested_eval_run",
           "exp1/ holds the training writer's file and exp1/eval/ the evaluator's");
    c.File("exp1/" + kTorchName, TorchRun(4));
    c.File("exp1/eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", TorchRun(4, kT0, "eval/loss"));
    c.Expect("TB502", "exp1", "warning");
  }
  {
    Case c(root, "TB502", "good", "runs_only_in_leaves", "exp1/train/ and exp1/eval/ are runs; exp1/ only groups them");
    c.File("exp1/train/" + kTorchName, TorchRun(4));
    c.File("exp1/eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", TorchRun(4, kT0, "eval/loss"));
  }
  {
    Case c(root, "TB502", "good", "sibling_with_common_prefix",
           "exp1/ and exp1-eval/ share a name prefix but neither is inside the other");
    c.File("exp1/" + kTorchName, TorchRun(4));
    c.File("exp1-eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", TorchRun(4, kT0, "eval/loss"));
  }
}

void MakeTB503(const fs::path& root) {
  {
    Case c(root, "TB503", "bad", "bak_beside_original",
           "someone kept a .bak copy of the event file beside it before editing the run");
    c.File(kTorchFile, TorchRun(4));
    c.File(kTorchFile + ".bak", TorchRun(4));
    c.Expect("TB503", kTorchFile + ".bak", "warning");
  }
  {
    Case c(root, "TB503", "bad", "tilde_backup", "an editor's ~ backup of an event file");
    c.File(kTorchFile + "~", TorchRun(4));
    c.Expect("TB503", kTorchFile + "~", "warning");
  }
  {
    Case c(root, "TB503", "bad", "numbered_duplicate",
           "a second download of the same file, renamed ' (1)' by the browser");
    c.File(kTorchFile + " (1)", TorchRun(4));
    c.Expect("TB503", kTorchFile + " (1)", "warning");
  }
  {
    Case c(root, "TB503", "bad", "rsync_temporary",
           "rsync's temporary '.<name>.XXXXXX', left behind when the copy was interrupted");
    const std::string tmp = "train/." + kTorchName + ".Xa1b2C";
    c.File(tmp, TorchRun(4));
    c.Expect("TB503", tmp, "warning");
  }
  {
    Case c(root, "TB503", "good", "writer_names",
           "names as torch, tensorboardX, TF2 (.v2), the TF profiler (.profile-empty) and torch "
           "with filename_suffix='.rank0' make them");
    c.File("torch/" + kTorchName, TorchRun(4));
    c.File("tbx/" + kTbxName, TbxRun(4));
    EventFile tf2;
    tf2.Add(PlainHeader(kT0));
    for (int s = 0; s < 4; ++s) tf2.Add(TensorScalar(kT0 + 1 + s, s, "epoch_loss", 1.0f / (1 + s)));
    c.File("tf2/train/events.out.tfevents.1795298000.gpu-node-1.4242.17.v2", tf2);
    c.File("tf2/train/events.out.tfevents.1795298000.gpu-node-1.profile-empty", TbxRun(0));
    c.File("suffix/" + kTorchName + ".rank0", TorchRun(4));
  }
}

void MakeTB504(const fs::path& root) {
  const std::string good = "eval/events.out.tfevents.1795298000.gpu-node-1.4242.1";
  {
    Case c(root, "TB504", "bad", "broken_symlink",
           "train/ holds a symlink named like an event file whose target (on a scratch disk that "
           "was wiped) does not exist; eval/ is fine");
    c.File(good, TorchRun(3));
    c.Symlink(kTorchFile, "../scratch-wiped/" + kTorchName);
    c.Expect("TB504", kTorchFile, "error");
  }
  {
    Case c(root, "TB504", "bad", "symlink_loop",
           "two symlinks pointing at each other: following either fails with ELOOP");
    c.File(good, TorchRun(3));
    c.Symlink(kTorchFile, "events.out.tfevents.1795298000.gpu-node-1.4242.0.link");
    c.Symlink("train/events.out.tfevents.1795298000.gpu-node-1.4242.0.link", kTorchName);
    c.Expect("TB504", kTorchFile, "error");
    c.Expect("TB504", "train/events.out.tfevents.1795298000.gpu-node-1.4242.0.link", "error");
  }
  {
    Case c(root, "TB504", "bad", "directory_symlink_cycle",
           "eval/all-runs links back to the logdir: following it would recurse for ever");
    c.File(good, TorchRun(3));
    c.Symlink("eval/all-runs", "..");
    c.Expect("TB504", "eval/all-runs", "error");
  }
  {
    Case c(root, "TB504", "good", "symlinked_run_directory",
           "latest -> runs/exp1 is a symlink to a real directory: readable, listed as its own run");
    c.File("runs/exp1/" + kTorchName, TorchRun(3));
    c.Symlink("latest", "runs/exp1");
  }
}

void MakeTB505(const fs::path& root) {
  {
    Case c(root, "TB505", "bad", "only_checkpoints_and_config",
           "the path is a training output directory with checkpoints and a config, no event file");
    c.File("config.yaml", "model: resnet18\nlr: 0.001\nbatch_size: 128\n");
    c.File("checkpoints/checkpoint", "model_checkpoint_path: \"model.ckpt-100\"\n");
    c.File("checkpoints/model.ckpt-100.index", std::string("\x00\x01\x02\x03 index", 10));
    c.File("checkpoints/model.ckpt-100.data-00000-of-00001", std::string(64, '\x42'));
    c.Expect("TB505", ".", "error");
  }
  {
    Case c(root, "TB505", "bad", "event_data_renamed",
           "valid event data whose file name lost 'tfevents' (renamed to .log): TensorBoard "
           "ignores it");
    c.File("train/events.out.1795298000.gpu-node-1.log", TorchRun(3));
    c.Expect("TB505", ".", "error");
  }
  {
    Case c(root, "TB505", "good", "nested_event_file", "one event file two levels down is enough");
    c.File("exp1/train/" + kTorchName, TorchRun(3));
  }
}

// A few rows of tab-separated floats, as torch's add_embedding writes tensors.tsv.
std::string TensorTsv() { return "0.1\t0.2\t0.3\n0.4\t0.5\t0.6\n0.7\t0.8\t0.9\n"; }

void MakeTB506(const fs::path& root) {
  {
    Case c(root, "TB506", "bad", "missing_tensor",
           "torch's add_embedding layout (emb/00000/features/) with tensors.tsv deleted: only the "
           "metadata is left");
    c.File("emb/" + kTorchName, TorchRun(3));
    c.File("emb/projector_config.pbtxt",
           "embeddings {\n"
           "  tensor_name: \"features:00000\"\n"
           "  metadata_path: \"00000/features/metadata.tsv\"\n"
           "  tensor_path: \"00000/features/tensors.tsv\"\n"
           "}\n");
    c.File("emb/00000/features/metadata.tsv", "cat\ndog\nbird\n");
    c.Expect("TB506", "emb/projector_config.pbtxt", "warning");
  }
  {
    Case c(root, "TB506", "bad", "missing_metadata_and_sprite",
           "the tensor is there but the metadata and sprite the config names were never copied");
    c.File("emb/" + kTorchName, TorchRun(3));
    c.File("emb/projector_config.pbtxt",
           "embeddings {\n"
           "  tensor_name: \"features:00000\"\n"
           "  tensor_path: \"00000/features/tensors.tsv\"\n"
           "  metadata_path: \"00000/features/metadata.tsv\"\n"
           "  sprite {\n"
           "    image_path: \"00000/features/sprite.png\"\n"
           "    single_image_dim: 28\n"
           "    single_image_dim: 28\n"
           "  }\n"
           "}\n");
    c.File("emb/00000/features/tensors.tsv", TensorTsv());
    c.Expect("TB506", "emb/projector_config.pbtxt", "warning");
    c.Expect("TB506", "emb/projector_config.pbtxt", "warning");
  }
  {
    Case c(root, "TB506", "good", "all_assets_present",
           "tensor, metadata and sprite all exist; the config uses a comment, single quotes, "
           "'sprite: { }' and a string split in two, which text format allows");
    c.File("emb/" + kTorchName, TorchRun(3));
    c.File("emb/projector_config.pbtxt",
           "# written by hand\n"
           "embeddings {\n"
           "  tensor_name: 'features:00000'\n"
           "  tensor_path: \"00000/features/\" \"tensors.tsv\"\n"
           "  metadata_path: '00000/features/metadata.tsv'\n"
           "  sprite: {\n"
           "    image_path: \"00000/features/sprite.png\"\n"
           "    single_image_dim: [28, 28]\n"
           "  }\n"
           "}\n");
    c.File("emb/00000/features/tensors.tsv", TensorTsv());
    c.File("emb/00000/features/metadata.tsv", "cat\ndog\nbird\n");
    c.File("emb/00000/features/sprite.png", std::string("\x89PNG\r\n\x1a\n", 8));
  }
  {
    Case c(root, "TB506", "good", "tensor_from_checkpoint",
           "no tensor_path: the projector reads the tensor from the checkpoint; the metadata exists");
    c.File("emb/" + kTorchName, TorchRun(3));
    c.File("emb/projector_config.pbtxt",
           "embeddings {\n"
           "  tensor_name: \"embedding/weights\"\n"
           "  metadata_path: \"metadata.tsv\"\n"
           "}\n");
    c.File("emb/metadata.tsv", "cat\ndog\nbird\n");
  }
}

// TB507: the same event file in two runs. The copies are byte-for-byte (cp,
// rsync) or a prefix of the original (copied while the writer was running).
void MakeTB507(const fs::path& root) {
  {
    Case c(root, "TB507", "bad", "run_copied_with_cp",
           "`cp -r runs/exp1 runs/exp1_backup` inside the logdir: both folders hold the same event file");
    const EventFile f = TorchRun(10);
    c.File("runs/exp1/" + kTorchName, f);
    c.File("runs/exp1_backup/" + kTorchName, f);
    c.Expect("TB507", "runs/exp1/" + kTorchName, "warning");
  }
  {
    Case c(root, "TB507", "bad", "copied_twice_while_written",
           "a run rsynced into archive/ twice while the job was still writing: the copies hold the first 4 "
           "and the first 12 records of the original's 21, cut at record boundaries");
    const EventFile f = TorchRun(20);
    c.File("exp1/" + kTorchName, f);
    std::string early = f.bytes();
    TruncateTo(&early, f.End(3));
    c.File("archive/monday/exp1/" + kTorchName, early);
    std::string later = f.bytes();
    TruncateTo(&later, f.End(11));
    c.File("archive/tuesday/exp1/" + kTorchName, later);
    c.Expect("TB507", "archive/monday/exp1/" + kTorchName, "warning");
  }
  {
    Case c(root, "TB507", "good", "same_name_different_trials",
           "two tensorboardX trials of a sweep started in the same second on one host: their files share a "
           "name (tensorboardX names carry no pid) but not their content");
    c.File("sweep/lr-0.1/" + kTbxName, TbxRun(5, kT0));
    c.File("sweep/lr-0.01/" + kTbxName, TbxRun(5, kT0 + 0.25));
  }
  {
    Case c(root, "TB507", "good", "symlinked_latest_run",
           "runs/latest is a symlink to runs/exp2: one file reached by two paths is not a copy");
    c.File("runs/exp1/" + kTorchName, TorchRun(5));
    c.File("runs/exp2/events.out.tfevents.1795299000.gpu-node-1.4300.0", TorchRun(5, kT0 + 1000));
    c.Symlink("runs/latest", "exp2");
  }
}

// ---------------------------------------------------------------------------
// TB6xx: what TensorBoard will show.

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A valid 1x1 grayscale PNG of brightness `gray` (zlib stream with one stored
// block), as small as an image summary gets.
std::string TinyPng(uint8_t gray) {
  auto chunk = [](const std::string& type, const std::string& data) {
    std::string c;
    PutBE(&c, data.size(), 4);
    c += type + data;
    PutBE(&c, Crc32(type + data), 4);
    return c;
  };
  std::string ihdr;
  PutBE(&ihdr, 1, 4);                              // width
  PutBE(&ihdr, 1, 4);                              // height
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit gray, deflate, no filter, no interlace
  const std::string row = std::string(1, '\0') + static_cast<char>(gray);  // filter byte, pixel
  std::string idat("\x78\x01\x01", 3);                                     // zlib header, final stored block
  PutLE(&idat, row.size(), 2);
  PutLE(&idat, ~row.size() & 0xFFFF, 2);
  idat += row;
  const uint32_t a = (1 + static_cast<uint8_t>(row[0]) + static_cast<uint8_t>(row[1])) % 65521;
  const uint32_t b = ((1 + static_cast<uint8_t>(row[0])) + a) % 65521;
  PutBE(&idat, (b << 16) | a, 4);  // adler32
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", "");
}

// torch's add_image: an Image value (plugin "images" by its value type).
std::string ImageEvent(double wall_time, int64_t step, const std::string& tag) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* img = v->mutable_image();
  img->set_height(1);
  img->set_width(1);
  img->set_colorspace(1);
  img->set_encoded_image_string(TinyPng(static_cast<uint8_t>(step * 20)));
  return Serialize(e);
}

// torch's add_text: a string tensor with plugin "text".
std::string TextEvent(double wall_time, int64_t step, const std::string& tag, const std::string& text) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  auto* t = v->mutable_tensor();
  t->set_dtype(tensorboard::DT_STRING);
  t->mutable_tensor_shape()->add_dim()->set_size(1);
  t->add_string_val(text);
  return Serialize(e);
}

void MakeTB601(const fs::path& root) {
  {
    Case c(root, "TB601", "bad", "twelve_images",
           "a torch run logs a sample image every epoch for 12 epochs: TensorBoard keeps 10 images per tag");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int s = 0; s < 12; ++s) {
      f.Add(Scalar(kT0 + 1 + s, s, "train/loss", 2.0f / (1.0f + 0.25f * s)));
      f.Add(ImageEvent(kT0 + 1 + s, s, "samples/reconstruction"));
    }
    c.File(kTorchFile, f);
    c.Expect("TB601", "train", "info");
  }
  {
    Case c(root, "TB601", "bad", "text_across_two_files",
           "a job logs its config as text 6 times, is restarted and logs it 6 more times into a second "
           "file of the same run: 12 points in one tag, over the 10 TensorBoard keeps");
    EventFile first;
    first.Add(TorchHeader(kT0));
    for (int s = 0; s < 6; ++s) first.Add(TextEvent(kT0 + 1 + s, s, "config", "lr: 0.001"));
    EventFile second;
    second.Add(TorchHeader(kT0 + 100));
    for (int s = 6; s < 12; ++s) second.Add(TextEvent(kT0 + 101 + s, s, "config", "lr: 0.001"));
    c.File("train/events.out.tfevents.1795298000.gpu-node-1.4242.0", first);
    c.File("train/events.out.tfevents.1795298100.gpu-node-1.4300.0", second);
    c.Expect("TB601", "train", "info");
  }
  {
    Case c(root, "TB601", "good", "within_every_limit",
           "200 scalar points (limit 1000), 10 images and 10 texts (limit 10) per tag");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int s = 0; s < 200; ++s) {
      f.Add(Scalar(kT0 + 1 + s, s, "train/loss", 2.0f / (1.0f + 0.25f * s)));
      if (s % 20 == 0) {
        f.Add(ImageEvent(kT0 + 1 + s, s, "samples/reconstruction"));
        f.Add(TextEvent(kT0 + 1 + s, s, "notes", "epoch " + std::to_string(s / 20)));
      }
    }
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB601", "good", "same_tag_in_two_runs",
           "two runs each log 8 images under the same tag: each run keeps its own 10, nothing is hidden");
    for (const std::string run : {"lr-0.01", "lr-0.001"}) {
      // Started a second apart: two runs, not one copied (TB507).
      const double t0 = run == "lr-0.01" ? kT0 : kT0 + 1;
      EventFile f;
      f.Add(TorchHeader(t0));
      for (int s = 0; s < 8; ++s) f.Add(ImageEvent(t0 + 1 + s, s, "samples"));
      c.File(run + "/events.out.tfevents." + std::to_string(static_cast<int64_t>(t0)) + ".gpu-node-1.4242.0", f);
    }
  }
}

void MakeTB602(const fs::path& root) {
  {
    Case c(root, "TB602", "bad", "scalar_and_histogram_one_file",
           "one torch writer logs fc1/weight as a scalar (its norm, steps 0, 5, ...) and as a histogram "
           "(steps 2, 7, ...)");
    EventFile f;
    f.Add(TorchHeader(kT0));
    for (int s = 0; s < 20; s += 5) {
      f.Add(Scalar(kT0 + 1 + s, s, "fc1/weight", 1.0f + 0.1f * s));
      f.Add(Histogram(kT0 + 3 + s, s + 2, "fc1/weight", 0.01 * s));
    }
    c.File(kTorchFile, f);
    c.Expect("TB602", "train", "warning");
  }
  {
    Case c(root, "TB602", "bad", "images_then_text_in_a_later_file",
           "the first job logs 'samples' as images; the resumed job, after a code change, logs 'samples' "
           "as text into a second file of the same run");
    EventFile first;
    first.Add(TorchHeader(kT0));
    for (int s = 0; s < 4; ++s) first.Add(ImageEvent(kT0 + 1 + s, s, "samples"));
    EventFile second;
    second.Add(TorchHeader(kT0 + 100));
    for (int s = 4; s < 8; ++s) second.Add(TextEvent(kT0 + 101 + s, s, "samples", "a cat on a mat"));
    c.File("train/events.out.tfevents.1795298000.gpu-node-1.4242.0", first);
    c.File("train/events.out.tfevents.1795298100.gpu-node-1.4300.0", second);
    c.Expect("TB602", "train", "warning");
  }
  {
    Case c(root, "TB602", "good", "same_tag_different_runs",
           "'acc' is a scalar in eval/ and a histogram in train/: kinds are per run, so no conflict");
    EventFile eval;
    eval.Add(TorchHeader(kT0));
    for (int s = 0; s < 5; ++s) eval.Add(Scalar(kT0 + 1 + s, s, "acc", 0.5f + 0.05f * s));
    EventFile train;
    train.Add(TorchHeader(kT0));
    for (int s = 0; s < 5; ++s) train.Add(Histogram(kT0 + 1 + s, s, "acc", 0.5 + 0.05 * s));
    c.File("eval/" + kTorchName, eval);
    c.File("train/" + kTorchName, train);
  }
  {
    Case c(root, "TB602", "good", "simple_value_then_tensor_scalars",
           "a run moved from torch (simple_value) to TF2 (scalar tensors, plugin 'scalars'): both are "
           "scalars, one kind");
    EventFile torch;
    torch.Add(TorchHeader(kT0));
    for (int s = 0; s < 5; ++s) torch.Add(Scalar(kT0 + 1 + s, s, "loss", 1.0f / (1 + s)));
    EventFile tf2;
    tf2.Add(PlainHeader(kT0 + 100));
    for (int s = 5; s < 10; ++s) tf2.Add(TensorScalar(kT0 + 101 + s, s, "loss", 1.0f / (1 + s)));
    c.File("train/events.out.tfevents.1795298000.gpu-node-1.4242.0", torch);
    c.File("train/events.out.tfevents.1795298100.gpu-node-1.4300.1.v2", tf2);
  }
}

void MakeTB603(const fs::path& root) {
  // A real case needs a file over 1 GiB or a graph over 32 MiB; these lower
  // the limits instead (options: LintOptions::oversized_file_bytes and
  // oversized_graph_bytes).
  constexpr uint64_t kTinyFileLimit = 4096;
  constexpr uint64_t kTinyGraphLimit = 1024;
  {
    Case c(root, "TB603", "bad", "graph_over_lowered_limit",
           "record 1 holds a 2000-byte graph_def, over a graph limit lowered to 1024 bytes");
    c.Option("oversized_graph_bytes", kTinyGraphLimit);
    EventFile f;
    f.Add(TorchHeader(kT0));
    const size_t graph = f.Add(GraphDefEvent(kT0 + 1, 2000));
    for (int s = 0; s < 5; ++s) f.Add(Scalar(kT0 + 2 + s, s, "train/loss", 1.0f / (1 + s)));
    c.File(kTorchFile, f);
    c.Expect("TB603", kTorchFile, "info", f.Offset(graph), graph);
  }
  {
    Case c(root, "TB603", "bad", "file_over_lowered_limit",
           "a 150-step run whose file is over a file limit lowered to 4096 bytes");
    c.Option("oversized_file_bytes", kTinyFileLimit);
    c.File(kTorchFile, TorchRun(150));
    c.Expect("TB603", kTorchFile, "info", 0);
  }
  {
    Case c(root, "TB603", "good", "under_lowered_limits",
           "with both limits lowered (4096-byte files, 1024-byte graphs), a 900-byte graph_def in a small "
           "file is under both");
    c.Option("oversized_file_bytes", kTinyFileLimit);
    c.Option("oversized_graph_bytes", kTinyGraphLimit);
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(GraphDefEvent(kT0 + 1, 900));
    for (int s = 0; s < 5; ++s) f.Add(Scalar(kT0 + 2 + s, s, "train/loss", 1.0f / (1 + s)));
    c.File(kTorchFile, f);
  }
  {
    Case c(root, "TB603", "good", "default_limits",
           "the bad cases' 2000-byte graph_def and 150-step file, under the default 1 GiB and 32 MiB limits");
    EventFile f;
    f.Add(TorchHeader(kT0));
    f.Add(GraphDefEvent(kT0 + 1, 2000));
    for (int s = 0; s < 5; ++s) f.Add(Scalar(kT0 + 2 + s, s, "train/loss", 1.0f / (1 + s)));
    c.File(kTorchFile, f);
    c.File("long/" + kTorchName, TorchRun(150));
  }
}

// ---------------------------------------------------------------------------
// TB8xx: other plugins.

// A protobuf varint.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A small XSpace (tsl/profiler/protobuf/xplane.proto) as the profiler writes
// <host>.xplane.pb: `planes` XPlanes (id, name) and the host name.
std::string XSpace(const std::string& host, int planes) {
  std::string space;
  for (int p = 0; p < planes; ++p) {
    const std::string name = p == 0 ? "/host:CPU" : "/device:GPU:" + std::to_string(p - 1);
    std::string plane = "\x08" + Varint(static_cast<uint64_t>(p)) + "\x12" + Varint(name.size()) + name;
    const std::string line_name = "XLA Ops #" + std::to_string(p);
    const std::string line = "\x08\x01\x12" + Varint(line_name.size()) + line_name;
    plane += "\x1a" + Varint(line.size()) + line;  // one XLine
    space += "\x0a" + Varint(plane.size()) + plane;
  }
  space += "\x22" + Varint(host.size()) + host;  // hostnames
  return space;
}

// A Chrome trace as TF's legacy profiler wrote <host>.trace.json.gz.
std::string TraceJson(int events) {
  std::string json = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
  for (int i = 0; i < events; ++i) {
    json += std::string(i > 0 ? "," : "") +
            "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"name\":\"MatMul\",\"ts\":" + std::to_string(1000 * i) +
            ",\"dur\":800}";
  }
  return json + "]}";
}

// ---------------------------------------------------------------------------
// TB7xx: the HParams dashboard. Two real layouts: torch's and tensorboardX's
// add_hparams (a trial's writer run, and inside it a <time.time()> run holding
// experiment, session start, session end and the metric scalars), and TF's
// hp.hparams_config at the sweep's root with hp.hparams in each trial's run
// (Keras writing the metrics into <run>/train and <run>/validation).

// One torch trial: `trial` logs train/loss; add_hparams at the end nests its
// run. Returns the nested run's path.
std::string TorchTrial(Case& c, const std::string& trial, int index, const std::vector<HparamSetting>& hp,
                       const std::vector<std::pair<std::string, float>>& metrics, bool tbx = false) {
  const double t0 = kT0 + 100.0 * index;
  c.File(trial + "/" + (tbx ? kTbxName : kTorchName), tbx ? TbxRun(5, t0) : TorchRun(5, t0));
  const double at = t0 + 5.4122984;
  EventFile f;
  for (const std::string& e : tbx ? TbxAddHparams(at, hp, metrics) : TorchAddHparams(at, hp, metrics)) f.Add(e);
  const std::string run = trial + "/" + TimeDotTimeName(at);
  const std::string name = tbx ? "events.out.tfevents." + std::to_string(static_cast<int64_t>(at)) + ".gpu-node-2"
                               : "events.out.tfevents." + std::to_string(static_cast<int64_t>(at)) +
                                     ".gpu-node-1.4242." + std::to_string(index + 1);
  c.File(run + "/" + name, f);
  return run;
}

// TF's hp.hparams_config, written once at `dir` by its own writer.
void TfConfig(Case& c, const std::string& dir, const std::vector<std::pair<std::string, HpType>>& hparams,
              const std::vector<HpMetric>& metrics) {
  EventFile f;
  f.Add(PlainHeader(kT0));
  f.Add(HparamsEvent(kT0, "_hparams_/experiment", ExperimentContent(hparams, metrics)));
  c.File((dir == "." ? "" : dir + "/") + "events.out.tfevents.1795298000.gpu-node-1.4242.0.v2", f);
}

// One TF trial: hp.hparams(...) under a writer at `run` (names sorted, a
// group name, the start time), Keras' train/validation runs below it with
// epoch_loss / epoch_accuracy as TF2 tensor scalars, and optionally the
// metric `final` logged in the trial's run itself.
void TfTrial(Case& c, const std::string& run, int index, std::vector<HparamSetting> hp, const std::string& final) {
  const double t0 = kT0 + 100.0 * (index + 1);
  std::sort(hp.begin(), hp.end(), [](const HparamSetting& a, const HparamSetting& b) { return a.name < b.name; });
  EventFile s;
  s.Add(PlainHeader(t0));
  s.Add(HparamsEvent(t0, "_hparams_/session_start_info",
                     SessionStartContent(hp, "5f3b2c" + std::to_string(1000 + index) + "a9e1", t0)));
  if (!final.empty()) s.Add(TensorScalar(t0 + 50, 1, final, 0.8f + 0.01f * index));
  c.File(run + "/events.out.tfevents." + std::to_string(static_cast<int64_t>(t0)) + ".gpu-node-1.4242.0.v2", s);
  // Keras' TensorBoard callback: one writer per split, created a second
  // apart, each logging its own values (a trial's train and validation
  // files never share content, so they are no copies of each other).
  for (int split = 0; split < 2; ++split) {
    const double t1 = t0 + 1 + split;
    EventFile k;
    k.Add(PlainHeader(t1));
    for (int epoch = 0; epoch < 4; ++epoch) {
      const float shift = 0.01f * index + 0.05f * split;
      k.Add(TensorScalar(t1 + 1 + epoch * 10, epoch, "epoch_loss", 1.0f / (1 + epoch) + shift));
      k.Add(TensorScalar(t1 + 1 + epoch * 10, epoch, "epoch_accuracy", 0.5f + 0.1f * epoch - shift));
    }
    c.File(run + "/" + (split == 0 ? "train" : "validation") + "/events.out.tfevents." +
               std::to_string(static_cast<int64_t>(t1)) + ".gpu-node-1.4242.0.v2",
           k);
  }
}

const std::vector<std::pair<std::string, HpType>> kTfHparams = {{"dropout", HpType::kFloat64},
                                                                 {"optimizer", HpType::kString}};
std::vector<HparamSetting> TfTrialHparams(int i) {
  return {HpNumber("dropout", 0.1 * (i + 1)), HpString("optimizer", i % 2 == 0 ? "adam" : "sgd")};
}

// The TF hparams tutorial's sweep, clean: config at the root, three trials.
void CleanTfSweep(Case& c, const std::string& dir) {
  TfConfig(c, dir, kTfHparams, {{"validation", "epoch_accuracy"}, {"", "accuracy"}});
  for (int i = 0; i < 3; ++i) {
    TfTrial(c, (dir == "." ? "" : dir + "/") + "run-" + std::to_string(i), i, TfTrialHparams(i), "accuracy");
  }
}

void MakeTB701(const fs::path& root) {
  {
    Case c(root, "TB701", "bad", "torch_trial_crashed_before_add_hparams",
           "a torch sweep: trial_0 and trial_1 called add_hparams at the end (nested <time.time()> runs); "
           "trial_2 logged train/loss and crashed before add_hparams, so it has no session");
    for (int i = 0; i < 2; ++i) {
      TorchTrial(c, "sweep/trial_" + std::to_string(i), i, {HpNumber("lr", 0.01 * (i + 1)), HpNumber("bs", 32)},
                 {{"hparam/accuracy", 0.8f + 0.01f * i}});
    }
    c.File("sweep/trial_2/" + kTorchName, TorchRun(5, kT0 + 200));
    c.Expect("TB701", "sweep/trial_2", "warning");
  }
  {
    Case c(root, "TB701", "bad", "tf_trial_crashed",
           "the TF hparams tutorial's layout: config at the root, run-0 and run-1 called hp.hparams; run-2 "
           "wrote Keras' train/validation runs but never its session start info");
    TfConfig(c, ".", kTfHparams, {{"validation", "epoch_accuracy"}});
    TfTrial(c, "run-0", 0, TfTrialHparams(0), "");
    TfTrial(c, "run-1", 1, TfTrialHparams(1), "");
    EventFile k = TorchRun(4, kT0 + 300, "epoch_loss");
    c.File("run-2/events.out.tfevents.1795298300.gpu-node-1.4242.0.v2", k);
    c.Expect("TB701", "run-2", "warning");
  }
  {
    Case c(root, "TB701", "bad", "hparams_written_to_another_folder",
           "hp.hparams went to hparams/run-0 and hparams/run-1, while the trials logged their metric "
           "'accuracy' (named by the config) into train/run-0 and train/run-1: no session has metrics and "
           "the metric runs are no sessions (TB702 fires as well)");
    TfConfig(c, "hparams", kTfHparams, {{"", "accuracy"}});
    for (int i = 0; i < 2; ++i) {
      EventFile s;
      s.Add(PlainHeader(kT0 + i));
      s.Add(HparamsEvent(kT0 + i, "_hparams_/session_start_info", SessionStartContent(TfTrialHparams(i))));
      c.File("hparams/run-" + std::to_string(i) + "/events.out.tfevents.1795298000.gpu-node-1.4242.0.v2", s);
      EventFile m;
      m.Add(PlainHeader(kT0 + i));
      for (int step = 0; step < 3; ++step) m.Add(TensorScalar(kT0 + 10 + step, step, "accuracy", 0.5f + 0.1f * step));
      c.File("train/run-" + std::to_string(i) + "/events.out.tfevents.1795298000.gpu-node-1.4242.0.v2", m);
    }
    c.Expect("TB701", "train/run-0", "warning");
    c.Expect("TB701", "train/run-1", "warning");
    c.Expect("TB702", "hparams", "warning");
  }
  {
    Case c(root, "TB701", "good", "tf_sweep_every_trial_logged",
           "the TF hparams tutorial's sweep: hp.hparams_config at the root, hp.hparams in run-0..run-2, "
           "Keras' train/validation runs below each (TB502 leaves runs holding only hparams data alone)");
    CleanTfSweep(c, ".");
  }
  {
    Case c(root, "TB701", "good", "other_experiment_beside_the_sweep",
           "a clean TF sweep under sweep/, and an unrelated experiment baseline/train logging its own tags "
           "in the same logdir: not a trial of the sweep");
    CleanTfSweep(c, "sweep");
    c.File("baseline/train/" + kTorchName, TorchRun(5));
  }
}

void MakeTB702(const fs::path& root) {
  {
    Case c(root, "TB702", "bad", "keras_metric_named_without_group",
           "hp.Metric('accuracy') in the config, but Keras logs epoch_accuracy in <run>/validation: no "
           "session has scalar 'accuracy' in its own run, an empty column");
    TfConfig(c, ".", kTfHparams, {{"", "accuracy"}});
    for (int i = 0; i < 3; ++i) TfTrial(c, "run-" + std::to_string(i), i, TfTrialHparams(i), "");
    c.Expect("TB702", ".", "warning");
  }
  {
    Case c(root, "TB702", "bad", "torch_metric_in_some_trials",
           "torch trials passed different metric_dicts to add_hparams: trial_0 hparam/accuracy and "
           "hparam/loss, trial_1 hparam/accuracy only; whichever config TensorBoard takes may show "
           "hparam/loss, blank for trial_1");
    TorchTrial(c, "sweep/trial_0", 0, {HpNumber("lr", 0.01)}, {{"hparam/accuracy", 0.8f}, {"hparam/loss", 0.3f}});
    TorchTrial(c, "sweep/trial_1", 1, {HpNumber("lr", 0.02)}, {{"hparam/accuracy", 0.82f}});
    c.Expect("TB702", "sweep/trial_0/" + TimeDotTimeName(kT0 + 5.4122984), "warning");
  }
  {
    Case c(root, "TB702", "good", "keras_metrics_with_groups",
           "the config names epoch_accuracy in group 'validation' and 'accuracy' in the session's own run; "
           "every trial logs both");
    CleanTfSweep(c, ".");
  }
}

void MakeTB703(const fs::path& root) {
  {
    Case c(root, "TB703", "bad", "torch_lr_string_in_one_trial",
           "torch add_hparams in three trials: lr 0.01 and 0.02 as numbers, '1e-3' as a string (read from a "
           "YAML file) in trial_2");
    TorchTrial(c, "sweep/trial_0", 0, {HpNumber("lr", 0.01), HpNumber("bs", 32)}, {{"hparam/accuracy", 0.8f}});
    TorchTrial(c, "sweep/trial_1", 1, {HpNumber("lr", 0.02), HpNumber("bs", 32)}, {{"hparam/accuracy", 0.81f}});
    const std::string run =
        TorchTrial(c, "sweep/trial_2", 2, {HpString("lr", "1e-3"), HpNumber("bs", 32)}, {{"hparam/accuracy", 0.7f}});
    c.Expect("TB703", run, "warning");
  }
  {
    Case c(root, "TB703", "bad", "bool_from_torch_and_tensorboardX",
           "'amsgrad' True logged by tensorboardX's add_hparams (a bool) in trial_0 and by torch's (which "
           "writes a bool as the number 1.0) in trial_1 and trial_2");
    TorchTrial(c, "sweep/trial_0", 0, {HpBool("amsgrad", true)}, {{"hparam/accuracy", 0.8f}}, true);
    const std::string run1 = TorchTrial(c, "sweep/trial_1", 1, {HpBool("amsgrad", true)}, {{"hparam/accuracy", 0.8f}});
    TorchTrial(c, "sweep/trial_2", 2, {HpBool("amsgrad", false)}, {{"hparam/accuracy", 0.8f}});
    c.Expect("TB703", "sweep/trial_0/" + TimeDotTimeName(kT0 + 5.4122984), "warning");
    (void)run1;
  }
  {
    Case c(root, "TB703", "good", "tf_sweep_consistent_types",
           "every trial sets dropout as a number and optimizer as a string");
    CleanTfSweep(c, ".");
  }
}

void MakeTB704(const fs::path& root) {
  {
    Case c(root, "TB704", "bad", "tf_config_missing_a_hparam",
           "hp.hparams_config declares dropout and optimizer, but every trial's hp.hparams also sets "
           "'units': it gets no column");
    TfConfig(c, ".", kTfHparams, {{"validation", "epoch_accuracy"}});
    for (int i = 0; i < 3; ++i) {
      std::vector<HparamSetting> hp = TfTrialHparams(i);
      hp.push_back(HpNumber("units", 16 << i));
      TfTrial(c, "run-" + std::to_string(i), i, hp, "");
    }
    c.Expect("TB704", ".", "warning");
  }
  {
    Case c(root, "TB704", "bad", "torch_trials_with_different_keys",
           "torch add_hparams with 'dropout' only in trial_1's hparam_dict: two different experiment configs, "
           "TensorBoard takes one, and with trial_0's 'dropout' has no column");
    TorchTrial(c, "sweep/trial_0", 0, {HpNumber("lr", 0.01)}, {{"hparam/accuracy", 0.8f}});
    TorchTrial(c, "sweep/trial_1", 1, {HpNumber("lr", 0.02), HpNumber("dropout", 0.5)}, {{"hparam/accuracy", 0.8f}});
    c.Expect("TB704", "sweep/trial_0/" + TimeDotTimeName(kT0 + 5.4122984), "warning");
  }
  {
    Case c(root, "TB704", "good", "tf_config_declares_every_hparam",
           "the config declares dropout and optimizer, the hyperparameters every trial sets");
    CleanTfSweep(c, ".");
  }
}

void MakeTB801(const fs::path& root) {
  const std::string session = "train/plugins/profile/2026_11_21_21_53_20/";
  {
    Case c(root, "TB801", "bad", "session_without_profile_data",
           "the profiler was killed before writing its trace: the session folder holds only an interrupted "
           "download, gpu-node-1.xplane.pb.part, and no profile data file");
    c.File("train/" + kTorchName, TorchRun(5));
    c.File(session + "gpu-node-1.xplane.pb.part", XSpace("gpu-node-1", 2).substr(0, 10));
    c.Expect("TB801", session.substr(0, session.size() - 1), "warning");
  }
  {
    Case c(root, "TB801", "bad", "empty_xplane",
           "tf.profiler / torch_xla created gpu-node-1.xplane.pb and died before writing it: 0 bytes");
    c.File("train/" + kTorchName, TorchRun(5));
    c.File(session + "gpu-node-1.xplane.pb", "");
    c.Expect("TB801", session.substr(0, session.size() - 1), "warning");
  }
  {
    Case c(root, "TB801", "bad", "truncated_xplane",
           "one host's XSpace cut 7 bytes short (a copy interrupted): its last field runs past the end; the "
           "other host's file is whole");
    c.File("train/" + kTorchName, TorchRun(5));
    const std::string xspace = XSpace("gpu-node-1", 3);
    c.File(session + "gpu-node-1.xplane.pb", xspace.substr(0, xspace.size() - 7));
    c.File(session + "gpu-node-2.xplane.pb", XSpace("gpu-node-2", 3));
    c.Expect("TB801", session.substr(0, session.size() - 1), "warning");
  }
  {
    Case c(root, "TB801", "bad", "truncated_trace_json_gz",
           "a legacy <host>.trace.json.gz cut to two thirds of its size: the gzip trailer is missing");
    c.File("train/" + kTorchName, TorchRun(5));
    const std::string gz = Gzip(TraceJson(40));
    c.File(session + "gpu-node-1.trace.json.gz", gz.substr(0, gz.size() * 2 / 3));
    c.Expect("TB801", session.substr(0, session.size() - 1), "warning");
  }
  {
    Case c(root, "TB801", "good", "complete_xplane_session",
           "the layout tf.profiler and torch_xla write: run train/ with its event file, one session with one "
           "host's XSpace");
    c.File("train/" + kTorchName, TorchRun(5));
    c.File(session + "gpu-node-1.xplane.pb", XSpace("gpu-node-1", 3));
  }
  {
    Case c(root, "TB801", "good", "legacy_trace_and_tools",
           "an older TF profiler's session: a whole trace.json.gz beside per-tool files and two hosts' XSpaces");
    c.File("train/" + kTorchName, TorchRun(5));
    c.File(session + "gpu-node-1.trace.json.gz", Gzip(TraceJson(40)));
    c.File(session + "gpu-node-1.overview_page.pb", std::string("\x0a\x02\x08\x01", 4));
    c.File(session + "gpu-node-1.xplane.pb", XSpace("gpu-node-1", 2));
    c.File(session + "gpu-node-2.xplane.pb", XSpace("gpu-node-2", 2));
  }
}

// ---------------------------------------------------------------------------
// The demo logdir for the README's first command, `tblint fixtures/demo`:
// a small sweep from a torch-style writer with one problem per run.

void MakeDemo(const fs::path& root) {
  const fs::path demo = root / "demo";
  fs::create_directories(demo);

  // A training run: header, then loss / lr / accuracy every step and a
  // weights histogram every 25 steps. `nan_from` (if >= 0) makes the loss
  // diverge to NaN from that step on.
  auto train = [](double t0, int steps, float lr, int nan_from) {
    EventFile f;
    f.Add(TorchHeader(t0));
    float loss = 2.3f;
    for (int s = 0; s < steps; ++s) {
      const double t = t0 + 2.0 + 1.5 * s;
      loss = loss * (1.0f - 4.0f * lr) + 0.01f * static_cast<float>(s % 3);
      const bool diverged = nan_from >= 0 && s >= nan_from;
      f.Add(Scalar(t, s, "train/loss", diverged ? std::numeric_limits<float>::quiet_NaN() : loss));
      f.Add(Scalar(t, s, "train/lr", lr));
      if (s % 25 == 0) f.Add(Histogram(t, s, "train/fc1.weight", 0.01 * s));
    }
    return f;
  };
  auto eval = [](double t0, int steps, float acc0) {
    EventFile f;
    f.Add(TorchHeader(t0));
    for (int s = 10; s <= steps; s += 10) {
      const double t = t0 + 2.0 + 1.5 * s;
      f.Add(Scalar(t, s, "eval/accuracy", acc0 + 0.002f * static_cast<float>(s)));
      f.Add(Scalar(t, s, "eval/loss", 1.8f - 0.004f * static_cast<float>(s)));
    }
    return f;
  };

  // baseline: clean.
  WriteBytes(demo / "baseline/train/events.out.tfevents.1795298000.gpu-node-1.4242.0",
             train(kT0, 120, 0.001f, -1).bytes());
  WriteBytes(demo / "baseline/eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", eval(kT0, 120, 0.61f).bytes());

  // lr-0.01: the loss diverges to NaN at step 70 (TB205).
  WriteBytes(demo / "lr-0.01/train/events.out.tfevents.1795298030.gpu-node-1.4301.0",
             train(kT0 + 30, 100, 0.01f, 70).bytes());

  // lr-0.003: the job was killed (OOM) while writing a record (TB101).
  {
    EventFile f = train(kT0 + 60, 90, 0.003f, -1);
    const size_t last = f.Add(Scalar(kT0 + 60 + 2 + 1.5 * 90, 90, "train/loss", 0.9f));
    TruncateTo(&f.bytes(), f.PayloadOffset(last) + 10);
    WriteBytes(demo / "lr-0.003/train/events.out.tfevents.1795298060.gpu-node-1.4377.0", f.bytes());
  }

  // wd-0.1: gpu-node-3 lost power; the last 2 KiB of the file never reached
  // the disk (TB102).
  {
    EventFile f = train(kT0 + 90, 80, 0.001f, -1);
    AppendZeros(&f.bytes(), 2048);
    WriteBytes(demo / "wd-0.1/train/events.out.tfevents.1795298090.gpu-node-3.5120.0", f.bytes());
  }

  // tbx-baseline: a tensorboardX writer on gpu-node-2 never flushed (TB201).
  WriteBytes(demo / "tbx-baseline/events.out.tfevents.1795298123.gpu-node-2", "");
}

// ---------------------------------------------------------------------------

void Generate(const fs::path& root) {
  // Only the generated folders are replaced; fixtures/corpus and anything
  // else under root is left alone.
  fs::remove_all(root / "rules");
  fs::remove_all(root / "demo");
  MakeTB101(root);
  MakeTB102(root);
  MakeTB103(root);
  MakeTB104(root);
  MakeTB105(root);
  MakeTB106(root);
  MakeTB107(root);
  MakeTB201(root);
  MakeTB202(root);
  MakeTB203(root);
  MakeTB204(root);
  MakeTB205(root);
  MakeTB301(root);
  MakeTB302(root);
  MakeTB303(root);
  MakeTB401(root);
  MakeTB402(root);
  MakeTB403(root);
  MakeTB404(root);
  MakeTB501(root);
  MakeTB502(root);
  MakeTB503(root);
  MakeTB504(root);
  MakeTB505(root);
  MakeTB506(root);
  MakeTB507(root);
  MakeTB601(root);
  MakeTB602(root);
  MakeTB603(root);
  MakeTB701(root);
  MakeTB702(root);
  MakeTB703(root);
  MakeTB704(root);
  MakeTB801(root);
  MakeDemo(root);
}

// What a tree holds: per relative path, its kind and bytes (or link target).
// Walks by hand with symlink_status: the TB504 fixtures hold symlink loops
// that make std::filesystem's recursive iterator throw.
void SnapshotInto(const fs::path& dir, const fs::path& base, std::map<std::string, std::string>* out) {
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string rel = entry.path().lexically_relative(base).generic_string();
    const fs::file_status st = entry.symlink_status();
    if (fs::is_symlink(st)) {
      (*out)[rel] = "symlink -> " + fs::read_symlink(entry.path()).string();
    } else if (fs::is_directory(st)) {
      (*out)[rel] = "directory";
      SnapshotInto(entry.path(), base, out);
    } else if (fs::is_regular_file(st)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      (*out)[rel] = "file: " + ss.str();
    } else {
      (*out)[rel] = "other";
    }
  }
}

std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  if (fs::is_directory(fs::symlink_status(dir))) SnapshotInto(dir, dir, &out);
  return out;
}

int Check(const fs::path& committed) {
  std::string tmpl = (fs::temp_directory_path() / "tblint-fixtures-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  const fs::path fresh = tmpl;
  Generate(fresh);
  int differences = 0;
  for (const char* sub : {"rules", "demo"}) {
    const auto want = Snapshot(fresh / sub);
    const auto have = Snapshot(committed / sub);
    for (const auto& [rel, what] : want) {
      auto it = have.find(rel);
      if (it == have.end()) {
        std::cerr << "missing: " << sub << "/" << rel << "\n";
        ++differences;
      } else if (it->second != what) {
        std::cerr << "differs: " << sub << "/" << rel << "\n";
        ++differences;
      }
    }
    for (const auto& [rel, what] : have) {
      if (!want.count(rel)) {
        std::cerr << "not generated (stale?): " << sub << "/" << rel << "\n";
        ++differences;
      }
    }
  }
  fs::remove_all(fresh);
  if (differences > 0) {
    std::cerr << differences << " differences between " << committed.string()
              << " and the generator's output; run tblint_make_fixtures " << committed.string()
              << " and commit the result\n";
    return 1;
  }
  std::cout << "fixtures in " << committed.string() << " match the generator\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::string(argv[1]) == "--check") return Check(argv[2]);
    if (argc != 2 || argv[1][0] == '-') {
      std::cerr << "usage: tblint_make_fixtures <fixtures-dir>\n"
                   "       tblint_make_fixtures --check <fixtures-dir>\n";
      return 2;
    }
    Generate(argv[1]);
    std::cout << "wrote " << argv[1] << "/rules and " << argv[1] << "/demo\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tblint_make_fixtures: " << e.what() << "\n";
    return 1;
  }
}
