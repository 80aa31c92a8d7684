// tblint_bench: how fast tblint reads a large, healthy logdir.
//
// Generates (or reuses) a scalar-heavy logdir laid out like real training
// output, warms the page cache, then measures, each several times:
//   a) bare CRC-32C over the file bytes held in memory (hardware and portable
//      paths, in bulk and record by record as the reader calls it);
//   b) framing + CRC alone: RecordReader over every file, no decoding;
//   c) the full scan (tblint::Lint, every rule) on one core;
//   d) the full scan on all cores.
// Other modes (x, m, r, s, n, t, h) run the tblint binary itself; see --help.
// This is a benchmark, not a test: it asserts nothing about speed. See
// docs/performance.md for how to run it and what was measured.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "event.pb.h"
#include "fix/fixer.h"
#include "record/crc32c.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "rule/registry.h"
#include "scan/scanner.h"

#ifndef TBLINT_BENCH_BUILD_TYPE
#define TBLINT_BENCH_BUILD_TYPE "unknown"
#endif

namespace {

namespace fs = boost::filesystem;
using tblint::crc32c::ExtendHardware;
using tblint::crc32c::ExtendPortable;

constexpr double kMB = 1e6;  // throughput is reported in decimal megabytes
constexpr const char* kManifestName = "tblint-bench.manifest";
constexpr const char* kManifestMagic = "tblint-bench logdir v1";

// ---------------------------------------------------------------------------
// Command line

struct Options {
  std::string dir;
  uint64_t mb = 200;
  int runs = 200;
  int reps = 5;
  bool quick = false;
  bool regenerate = false;
  std::string generate;          // --generate KIND: write that logdir into --dir and exit
  int tags = 0, points = 10;     // --generate tags: the file's tags (0: 100,000, 10,000 with --quick) and points each
  std::string only = "abcdexm";  // which measurements to run
  bool Wants(char m) const { return only.find(m) != std::string::npos; }
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: tblint_bench [--dir DIR] [--mb N] [--runs N] [--reps N] [--quick] [--regenerate] [--only abcdexmrsnth]\n"
      "       tblint_bench --generate scalar|histo|tags|small|findings --dir DIR [--mb N] [--quick]\n"
      "  --dir DIR      logdir to generate or reuse (default $TMPDIR/tblint-bench-logdir)\n"
      "  --mb N         logdir size in MB of 10^6 bytes (default 200; 20 with --quick)\n"
      "  --runs N       run directories, one event file each (default 200)\n"
      "  --reps N       repetitions of each measurement (default 5; 3 with --quick)\n"
      "  --quick        small logdir and few repetitions, for a smoke run\n"
      "  --regenerate   rebuild the logdir even if it matches\n"
      "  --generate KIND  only write a logdir into --dir (kept, reused while it matches; for bench/callgrind.sh):\n"
      "                 scalar: the main logdir (--mb, --runs); histo: the histogram/image logdir of h (--mb);\n"
      "                 tags: one file of 100,000 tags, 10 points each (10,000 with --quick), as in t;\n"
      "                 small: 20,000 small files in 200 runs (2,000 with --quick), as in s;\n"
      "                 findings: 100 runs of one file, every record damaged: 100,000 TB104 findings, as in n\n"
      "  --tags N, --points N  with --generate tags: N tags (default 100,000), N points each (default 10)\n"
      "  --only LETTERS run only these measurements (e: peak RSS of the tblint binary), e.g. --only c to profile the\n"
      "                 one-core scan (a: CRC, b: framing, c: scan 1 job, d: all cores,\n"
      "                 x: `tblint export` to csv, jsonl and sqlite: MB/s of event files and peak RSS,\n"
      "                 m: `tblint merge` combine, --join and --reduce all: MB/s of event files and peak RSS,\n"
      "                 r: `tblint --fix` of a 50 and a 500 MB file cut 37 bytes short vs cp; not run by default,\n"
      "                 s: 20,000 small files, `tblint --jobs 1` vs cat (CPU), and 100,000: peak RSS; not by default,\n"
      "                 n: 100,000 findings (TB104) per output format, with --write-baseline and in `tblint runs`:\n"
      "                 peak RSS and time; not by default,\n"
      "                 t: one file of 8, of 100,000 and of 1,000,000 tags: MB/s and peak RSS; not by default,\n"
      "                 h: a histogram/image logdir of --mb MB in 20 runs (PyTorch-style histo and PNG-sized\n"
      "                 image values, kept in DIR.bench-histo), `tblint --jobs 1`: MB/s, records/s, peak RSS,\n"
      "                 findings; then the CPU time of `tblint --jobs 2` / `--jobs 1` on the main logdir;\n"
      "                 not by default)\n");
}

bool ParseArgs(int argc, char** argv, Options* o) {
  bool mb_given = false, reps_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    bool has_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    auto need = [&](const char* name) -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tblint_bench: %s needs a value\n", name);
        return false;
      }
      value = argv[++i];
      return true;
    };
    auto to_int = [&](const char* name, long long lo, long long* out) -> bool {
      char* end = nullptr;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < lo) {
        std::fprintf(stderr, "tblint_bench: bad value for %s: %s\n", name, value.c_str());
        return false;
      }
      *out = v;
      return true;
    };
    long long v = 0;
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      std::exit(0);
    } else if (a == "--dir") {
      if (!need("--dir")) return false;
      o->dir = value;
    } else if (a == "--mb") {
      if (!need("--mb") || !to_int("--mb", 1, &v)) return false;
      o->mb = static_cast<uint64_t>(v);
      mb_given = true;
    } else if (a == "--runs") {
      if (!need("--runs") || !to_int("--runs", 1, &v)) return false;
      o->runs = static_cast<int>(v);
    } else if (a == "--reps") {
      if (!need("--reps") || !to_int("--reps", 1, &v)) return false;
      o->reps = static_cast<int>(v);
      reps_given = true;
    } else if (a == "--only") {
      if (!need("--only")) return false;
      if (value.empty() || value.find_first_not_of("abcdexmrsnth,") != std::string::npos) {
        std::fprintf(stderr, "tblint_bench: --only takes letters from abcdexmrsnth\n");
        return false;
      }
      o->only = value;
    } else if (a == "--quick") {
      o->quick = true;
    } else if (a == "--regenerate") {
      o->regenerate = true;
    } else if (a == "--tags") {
      if (!need("--tags") || !to_int("--tags", 1, &v)) return false;
      o->tags = static_cast<int>(std::min<long long>(v, 100000000));
    } else if (a == "--points") {
      if (!need("--points") || !to_int("--points", 1, &v)) return false;
      o->points = static_cast<int>(std::min<long long>(v, 1000000));
    } else if (a == "--generate") {
      if (!need("--generate")) return false;
      if (value != "scalar" && value != "histo" && value != "tags" && value != "small" && value != "findings") {
        std::fprintf(stderr, "tblint_bench: --generate takes scalar, histo, tags, small or findings\n");
        return false;
      }
      o->generate = value;
    } else {
      std::fprintf(stderr, "tblint_bench: unknown argument %s\n", argv[i]);
      Usage(stderr);
      return false;
    }
  }
  if (o->quick) {
    if (!mb_given) o->mb = 20;
    if (!reps_given) o->reps = 3;
  }
  if (o->dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    o->dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/tblint-bench-logdir";
  }
  while (o->dir.size() > 1 && o->dir.back() == '/') o->dir.pop_back();
  return true;
}

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// ---------------------------------------------------------------------------
// Logdir generation

// splitmix64: small, fast and reproducible across platforms.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Normal() {
    const double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
};

struct FileEntry {
  std::string rel;  // relative to the logdir
  uint64_t size = 0;
  uint64_t records = 0;
};

struct Logdir {
  std::vector<FileEntry> files;
  uint64_t bytes = 0;
  uint64_t records = 0;
  bool generated = false;
  double seconds = 0;  // generation (or verification) time
};

std::string ManifestHeader(const Options& o) {
  std::ostringstream s;
  s << kManifestMagic << "\nmb " << o.mb << "\nruns " << o.runs << "\n";
  return s.str();
}

// Writes one event file the way a training job would: a file_version record,
// then one event per scalar per logging step. Even runs look like PyTorch's
// SummaryWriter (simple_value), odd runs like TF2's tf.summary (a scalar
// tensor in tensor_content, plugin "scalars", written with every value).
class EventFileWriter {
 public:
  EventFileWriter(const std::string& path, bool tf2) : tf2_(tf2) {
    f_ = std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  ~EventFileWriter() {
    if (f_ != nullptr) std::fclose(f_);
  }

  void FileVersion(double wall) {
    event_.Clear();
    event_.set_wall_time(wall);
    event_.set_file_version("brain.Event:2");
    Emit();
  }

  void Scalar(double wall, int64_t step, const std::string& tag, float value) {
    event_.Clear();
    event_.set_wall_time(wall);
    event_.set_step(step);
    auto* v = event_.mutable_summary()->add_value();
    v->set_tag(tag);
    if (tf2_) {
      auto* md = v->mutable_metadata();
      md->mutable_plugin_data()->set_plugin_name("scalars");
      md->set_data_class(tensorboard::DATA_CLASS_SCALAR);
      auto* t = v->mutable_tensor();
      t->set_dtype(tensorboard::DT_FLOAT);
      t->mutable_tensor_shape();  // rank 0: present and empty
      t->set_tensor_content(&value, sizeof value);
    } else {
      v->set_simple_value(value);
    }
    Emit();
  }

  // One add_histogram call of PyTorch's SummaryWriter: a Summary.Value with a
  // HistogramProto of `buckets` equal-width buckets over [min, max] (the
  // right edges in bucket_limit, the counts in bucket, both packed doubles)
  // for `num` values drawn from N(mean, sigma). No metadata, as PyTorch.
  void Histogram(double wall, int64_t step, const std::string& tag, double mean, double sigma, double num,
                 int buckets, Rng* rng) {
    event_.Clear();
    event_.set_wall_time(wall);
    event_.set_step(step);
    auto* v = event_.mutable_summary()->add_value();
    v->set_tag(tag);
    auto* h = v->mutable_histo();
    const double lo = mean - sigma * (3.5 + 0.5 * rng->Uniform());
    const double hi = mean + sigma * (3.5 + 0.5 * rng->Uniform());
    const auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - mean) / (sigma * std::numbers::sqrt2)); };
    double prev = cdf(lo), total = 0;
    for (int b = 0; b < buckets; ++b) {
      const double limit = b + 1 == buckets ? hi : lo + (hi - lo) * (b + 1) / buckets;
      const double c = cdf(limit);
      const double count = std::round(num * (c - prev));
      prev = c;
      total += count;
      h->add_bucket_limit(limit);
      h->add_bucket(count);
    }
    h->set_min(lo);
    h->set_max(hi);
    h->set_num(total);
    h->set_sum(total * mean + sigma * std::sqrt(total) * rng->Normal());
    h->set_sum_squares(total * (sigma * sigma + mean * mean));
    Emit();
  }

  // One add_image call: a Summary.Value with a Summary.Image (height, width,
  // colorspace = channels, and the PNG bytes; no metadata, as PyTorch). The
  // bytes are the PNG signature and then noise, which compresses no better
  // than a real PNG's deflate stream.
  void Image(double wall, int64_t step, const std::string& tag, int height, int width, int channels, size_t bytes,
             Rng* rng) {
    event_.Clear();
    event_.set_wall_time(wall);
    event_.set_step(step);
    auto* v = event_.mutable_summary()->add_value();
    v->set_tag(tag);
    auto* img = v->mutable_image();
    img->set_height(height);
    img->set_width(width);
    img->set_colorspace(channels);
    std::string* png = img->mutable_encoded_image_string();
    png->assign("\x89PNG\r\n\x1a\n", 8);
    png->resize(std::max<size_t>(bytes, 8));
    for (size_t i = 8; i < png->size(); i += 8) {
      const uint64_t r = rng->Next();
      std::memcpy(png->data() + i, &r, std::min<size_t>(8, png->size() - i));
    }
    Emit();
  }

  // Flushes and closes; returns the bytes written.
  uint64_t Close(const std::string& path) {
    if (std::fclose(f_) != 0) {
      f_ = nullptr;
      throw std::runtime_error("cannot write " + path);
    }
    f_ = nullptr;
    return bytes_;
  }

  uint64_t bytes() const { return bytes_; }
  uint64_t records() const { return records_; }

 private:
  void Emit() {
    payload_.clear();
    event_.SerializeToString(&payload_);
    framed_.clear();
    tblint::AppendRecord(&framed_, payload_);
    if (std::fwrite(framed_.data(), 1, framed_.size(), f_) != framed_.size()) {
      throw std::runtime_error(std::string("write failed: ") + std::strerror(errno));
    }
    bytes_ += framed_.size();
    ++records_;
  }

  FILE* f_ = nullptr;
  bool tf2_;
  tensorboard::Event event_;
  std::string payload_, framed_;
  uint64_t bytes_ = 0, records_ = 0;
};

FileEntry WriteRun(const std::string& dir, int index, uint64_t target_bytes, double now) {
  static const char* const kGroups[] = {"resnet50_imagenet", "bert_base_glue", "ppo_procgen", "vit_ablation"};
  static const char* const kLrs[] = {"1e-4", "3e-4", "1e-3", "3e-3", "1e-2"};
  const bool tf2 = index % 2 == 1;
  char run[128];
  std::snprintf(run, sizeof run, "%s/trial%03d_lr%s_seed%d", kGroups[index % 4], index, kLrs[(index / 4) % 5],
                index % 3);
  // Start times spread over a day, all well before the files' mtime.
  const double start = now - 3 * 86400.0 + (index % 100) * 877.0;
  char name[160];
  std::snprintf(name, sizeof name, "events.out.tfevents.%lld.bench-host.%d.0%s", static_cast<long long>(start),
                4000 + index, tf2 ? ".v2" : "");
  const std::string rel = std::string(run) + "/" + name;
  const std::string path = dir + "/" + rel;
  fs::create_directories(dir + "/" + run);

  Rng rng{0xC0FFEEull * 1000003ull + static_cast<uint64_t>(index)};
  EventFileWriter w(path, tf2);
  w.FileVersion(start);
  const std::string lr_tag = tf2 ? "learning_rate" : "lr";
  const double base_lr = 1e-4 * (1 + (index % 7));
  double wall = start + 2.0;
  int64_t step = 0;
  for (int64_t logged = 0; w.bytes() < target_bytes; ++logged) {
    step = logged * 10;  // log every 10 optimiser steps
    wall += 0.35 + 0.3 * rng.Uniform();
    const double s = static_cast<double>(step);
    const double loss = 0.08 + 2.3 * std::exp(-s / 30000.0) + 0.04 * std::abs(rng.Normal());
    const double acc = std::clamp(1.0 - loss / 2.5 + 0.01 * rng.Normal(), 0.0, 1.0);
    const double lr = base_lr * 0.5 * (1 + std::cos(std::numbers::pi * std::min(1.0, s / 400000.0)));
    const double grad_norm = 0.5 + 0.6 * std::exp(-s / 50000.0) + 0.2 * std::abs(rng.Normal());
    // One add_scalar call per value, a few microseconds apart.
    w.Scalar(wall, step, "train/loss", static_cast<float>(loss));
    w.Scalar(wall + 1.5e-5, step, "train/acc", static_cast<float>(acc));
    w.Scalar(wall + 2.9e-5, step, lr_tag, static_cast<float>(lr));
    w.Scalar(wall + 4.1e-5, step, "train/grad_norm", static_cast<float>(grad_norm));
    if (logged % 50 == 49) {  // a validation pass every 500 steps
      wall += 20 + 5 * rng.Uniform();
      w.Scalar(wall, step, "val/loss", static_cast<float>(loss * 1.1 + 0.02 * rng.Normal()));
      w.Scalar(wall + 2e-5, step, "val/acc", static_cast<float>(acc * 0.98));
    }
  }
  FileEntry e;
  e.rel = rel;
  e.records = w.records();
  e.size = w.Close(path);
  return e;
}

void SetMtime(const std::string& path, double t) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(t);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    throw std::runtime_error("utimensat " + path + ": " + std::strerror(errno));
  }
}

// Returns true and fills `out` when `dir` holds a logdir this program
// generated with the same parameters (its manifest starts with `header`),
// `files` files, every one present at its size.
bool ReuseManifest(const std::string& dir, const std::string& header, int files, Logdir* out) {
  std::ifstream in(dir + "/" + kManifestName);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.compare(0, header.size(), header) != 0) return false;
  std::istringstream lines(text.substr(header.size()));
  std::string word;
  Logdir l;
  while (lines >> word) {
    if (word != "file") return false;
    FileEntry e;
    if (!(lines >> e.rel >> e.size >> e.records)) return false;
    struct stat st {};
    if (::stat((dir + "/" + e.rel).c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<uint64_t>(st.st_size) != e.size) {
      return false;
    }
    l.bytes += e.size;
    l.records += e.records;
    l.files.push_back(std::move(e));
  }
  if (static_cast<int>(l.files.size()) != files) return false;
  *out = std::move(l);
  return true;
}

// Writes run `index` of a generated logdir under `dir`, about `target_bytes`.
using RunWriter = std::function<FileEntry(const std::string& dir, int index, uint64_t target_bytes, double now)>;

// Reuses `dir` when its manifest matches `header` and its files are all
// there; otherwise (or with --regenerate) writes `runs` runs of `total`
// bytes in all with `write_run`, the manifest last.
Logdir PrepareGenerated(const std::string& dir, const std::string& header, int runs, uint64_t total,
                        bool regenerate, const RunWriter& write_run) {
  const auto t0 = std::chrono::steady_clock::now();
  Logdir l;
  const bool exists = fs::exists(dir);
  const bool ours = fs::exists(dir + "/" + kManifestName);
  if (!regenerate && ReuseManifest(dir, header, runs, &l)) {
    l.generated = false;
  } else {
    if (exists && !ours && !fs::is_empty(dir)) {
      throw std::runtime_error(dir + " exists and was not generated by tblint_bench; refusing to overwrite it");
    }
    if (exists) fs::remove_all(dir);
    fs::create_directories(dir);
    const double now = Now();
    std::string manifest = header;
    for (int i = 0; i < runs; ++i) {
      const uint64_t share = total / runs + (i == runs - 1 ? total % runs : 0);
      FileEntry e = write_run(dir, i, share, now);
      manifest += "file " + e.rel + " " + std::to_string(e.size) + " " + std::to_string(e.records) + "\n";
      l.bytes += e.size;
      l.records += e.records;
      l.files.push_back(std::move(e));
    }
    // Written last: a half-generated logdir has no manifest and is rebuilt.
    std::ofstream m(dir + "/" + kManifestName, std::ios::trunc);
    m << manifest;
    if (!m) throw std::runtime_error("cannot write the manifest in " + dir);
    l.generated = true;
  }
  // An hour ago, so the grace period for live writers never applies.
  const double mtime = Now() - 3600;
  for (const FileEntry& e : l.files) SetMtime(dir + "/" + e.rel, mtime);
  l.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return l;
}

Logdir PrepareLogdir(const Options& o) {
  return PrepareGenerated(o.dir, ManifestHeader(o), o.runs, o.mb * 1000000ull, o.regenerate, WriteRun);
}

// Reads every byte once so the measurements run against the page cache.
void WarmPageCache(const Options& o, const Logdir& l) {
  std::vector<char> buf(1 << 20);
  for (const FileEntry& e : l.files) {
    const int fd = ::open((o.dir + "/" + e.rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + e.rel);
    while (::read(fd, buf.data(), buf.size()) > 0) {
    }
    ::close(fd);
  }
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

// ---------------------------------------------------------------------------
// Measurement

struct Measurement {
  std::string label;
  uint64_t bytes = 0;
  uint64_t records = 0;  // 0: not meaningful for this measurement
  std::vector<double> seconds;
  std::string note;
};

template <class F>
Measurement Measure(const std::string& label, int reps, uint64_t bytes, uint64_t records, F&& body) {
  Measurement m;
  m.label = label;
  m.bytes = bytes;
  m.records = records;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    m.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return m;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void Print(const Measurement& m) {
  const double best = *std::min_element(m.seconds.begin(), m.seconds.end());
  const double med = Median(m.seconds);
  std::printf("%-40s  MB/s best %9.1f median %9.1f", m.label.c_str(), m.bytes / kMB / best, m.bytes / kMB / med);
  if (m.records > 0) {
    std::printf("  | Mrec/s best %7.2f median %7.2f", m.records / 1e6 / best, m.records / 1e6 / med);
  }
  std::printf("  | best %.3f s%s%s\n", best, m.note.empty() ? "" : "  ", m.note.c_str());
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    for (const char* key : {"model name", "Model", "cpu model"}) {
      if (line.rfind(key, 0) == 0) {
        auto colon = line.find(':');
        if (colon != std::string::npos) {
          std::string v = line.substr(colon + 1);
          v.erase(0, v.find_first_not_of(" \t"));
          return v;
        }
      }
    }
  }
  return "unknown";
}

// The 1, 5 and 15 minute load averages: other work on the machine skews
// every figure, the all-cores one most.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

long PeakRssKb() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;  // kilobytes on Linux
}

// Runs the tblint binary on `dir` (all rules, all cores, JSON to /dev/null)
// and returns the child's peak RSS in kilobytes, or -1.
long CliPeakRssKb(const std::string& dir) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    ::execl(TBLINT_BINARY, "tblint", "--format", "json", "--fail-on", "never", dir.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (::wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return ru.ru_maxrss;
}

// x) Runs `tblint export --format FORMAT DIR -o OUT` in its own process;
// returns its wall time in seconds (or -1), its CPU time (user + system) in
// *cpu_s and its peak RSS in *rss_kb. On a shared machine the CPU time is the
// steadier figure: the export runs on one core, and waiting for it is not work.
double TimedExport(const std::string& dir, const char* format, const std::string& out, long* rss_kb,
                   double* cpu_s) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
    ::execl(TBLINT_BINARY, "tblint", "export", "--format", format, "-o", out.c_str(), dir.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (::wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  *rss_kb = ru.ru_maxrss;
  *cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// m) Runs `tblint merge [MODE...] -o OUT DIR` in its own process (OUT removed
// before and after); returns its wall time in seconds (or -1) and its peak
// RSS in *rss_kb.
double TimedMerge(const std::string& dir, const std::vector<std::string>& mode, const std::string& out,
                  long* rss_kb) {
  std::error_code ec;
  std::filesystem::remove_all(out, ec);
  std::vector<std::string> args = {"tblint", "merge"};
  args.insert(args.end(), mode.begin(), mode.end());
  args.insert(args.end(), {"-o", out, dir});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    ::execv(TBLINT_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  const bool ok = ::wait4(pid, &status, 0, &ru) >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(out, ec);
  if (!ok) return -1;
  *rss_kb = ru.ru_maxrss;
  return t;
}

volatile uint32_t g_sink;  // keeps CRC results alive

// CRC of every record's length and payload, exactly the calls the reader
// makes, over the in-memory bytes.
uint32_t CrcPerRecord(const std::string& data, uint32_t (*extend)(uint32_t, const void*, size_t)) {
  uint32_t x = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t off = 0;
  while (off + tblint::kFramingSize <= data.size()) {
    uint64_t len;
    std::memcpy(&len, p + off, 8);
    x ^= extend(0, p + off, 8);
    if (len > data.size() - off - tblint::kFramingSize) break;
    x ^= extend(0, p + off + tblint::kHeaderSize, static_cast<size_t>(len));
    off += tblint::kFramingSize + len;
  }
  return x;
}

tblint::ScanConfig FullConfig(int jobs) {
  tblint::ScanConfig config;
  for (const auto& r : tblint::AllRules()) config.rules.push_back(r.get());
  config.jobs = jobs;
  config.lint.now = Now();
  return config;
}

// ---------------------------------------------------------------------------
// r) `tblint --fix` of a tail cut (docs/performance.md, "bench mode r"): one
// valid event file cut 37 bytes short, fixed by the real binary in its own
// process, against `cp` of the same file; and the fix step alone, in process.

struct ChildRun {
  double wall = -1;  // seconds; -1: the child failed
  double cpu = -1;   // user + system seconds
  long rss_kb = -1;  // peak RSS
};

// Runs args (args[0] is the program) in its own process, standard error to
// /dev/null, standard output to `stdout_path` (created or truncated).
ChildRun TimedChild(std::vector<std::string> args, const std::string& stdout_path = "/dev/null") {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ChildRun r;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return r;
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
    const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) ::dup2(out, STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  const bool ok = ::wait4(pid, &status, 0, &ru) >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!ok) return r;
  r.wall = t;
  r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.rss_kb = ru.ru_maxrss;
  return r;
}

// The best (fastest) of several runs; the largest peak RSS.
void KeepBest(const ChildRun& r, ChildRun* best, bool* ok) {
  if (r.wall < 0) {
    *ok = false;
    return;
  }
  if (best->wall < 0 || r.wall < best->wall) best->wall = r.wall;
  if (best->cpu < 0 || r.cpu < best->cpu) best->cpu = r.cpu;
  best->rss_kb = std::max(best->rss_kb, r.rss_kb);
}

// Copies `from` to a new `to` (no timing: setting up a measurement).
void CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(to).parent_path(), ec);
  if (!std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec)) {
    throw std::runtime_error("cannot copy " + from + " to " + to + ": " + ec.message());
  }
}

// One size: returns false when a run failed or the fix did not do what it should.
bool FixBenchOne(const Options& o, uint64_t mb) {
  constexpr uint64_t kCut = 37;  // the bytes cut off the end, as in issue 13
  const std::string root = o.dir + ".bench-fix";
  const std::string src_dir = root + "/source-" + std::to_string(mb) + "mb";
  const std::string marker = src_dir + "/tblint-bench-fix.manifest";
  // The source file: generated once per size (a valid event file, as the
  // logdir's runs are written), reused while its manifest matches.
  std::string rel;
  uint64_t size = 0;
  {
    std::ifstream in(marker);
    struct stat st {};
    if (!o.regenerate && in >> rel >> size && ::stat((src_dir + "/" + rel).c_str(), &st) == 0 &&
        static_cast<uint64_t>(st.st_size) == size) {
    } else {
      std::error_code ec;
      std::filesystem::remove_all(src_dir, ec);
      fs::create_directories(src_dir);
      const FileEntry e = WriteRun(src_dir, 0, mb * 1000000ull, Now());
      rel = e.rel;
      size = e.size;
      std::ofstream m(marker, std::ios::trunc);
      m << rel << " " << size << "\n";
    }
  }
  const std::string source = src_dir + "/" + rel;
  {
    std::vector<char> buf(1 << 20);
    const int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && ::read(fd, buf.data(), buf.size()) > 0) {
    }
    if (fd >= 0) ::close(fd);
  }
  const std::string work = root + "/work";
  const std::string logdir = work + "/logdir";
  const std::string target = logdir + "/" + rel;
  // A fresh copy of the source, cut kCut bytes short and dated an hour back.
  auto prepare = [&] {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
    CopyFile(source, target);
    if (::truncate(target.c_str(), static_cast<off_t>(size - kCut)) != 0) throw std::runtime_error("truncate failed");
    SetMtime(target, Now() - 3600);
    // On disk, as a file cut short by a crash long ago is: otherwise the
    // fix's fsync would write back the whole fresh copy.
    const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) throw std::runtime_error("cannot sync " + target);
    ::close(fd);
  };
  const auto cpu_now = [] {
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  };
  bool ok = true;
  ChildRun cp, fix, lint;
  uint64_t fixed_size = 0;
  double apply_best = -1, apply_cpu = -1;
  const int reps = std::min(o.reps, 3);
  for (int i = 0; i < reps; ++i) {
    prepare();
    // cp of the same (cut) file, beside it.
    KeepBest(TimedChild({"/bin/cp", target, work + "/cp-copy"}), &cp, &ok);
    ::unlink((work + "/cp-copy").c_str());
    // The lint alone: the scan `--fix` runs before fixing (and again after).
    KeepBest(TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", logdir}), &lint, &ok);
    KeepBest(TimedChild({TBLINT_BINARY, "--fix", "--format", "json", "--fail-on", "never", logdir}), &fix, &ok);
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0) ok = false;
    fixed_size = static_cast<uint64_t>(st.st_size);
    // The fix step alone, in this process: tblint::ApplyFixes after a scan.
    prepare();
    tblint::LintResult result;
    std::string error;
    if (!tblint::Lint(logdir, FullConfig(1), &result, &error)) throw std::runtime_error(error);
    tblint::FixOptions fo;
    fo.now = Now();
    const double c0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<tblint::FixOutcome> outcomes = tblint::ApplyFixes(result, fo);
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double c = cpu_now() - c0;
    if (outcomes.size() != 1 || outcomes[0].status != tblint::FixStatus::kFixed) ok = false;
    if (apply_best < 0 || t < apply_best) apply_best = t;
    if (apply_cpu < 0 || c < apply_cpu) apply_cpu = c;
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  // The last record is about 58 bytes: cutting 37 leaves its first 21 or so,
  // which the fix removes.
  if (!(fixed_size < size - kCut && fixed_size + 200 > size - kCut)) ok = false;
  const uint64_t removed = size - kCut - fixed_size;
  std::printf("r) %.1f MB file (%llu bytes) cut %llu bytes short; the fix removes %llu more bytes%s\n", size / kMB,
              static_cast<unsigned long long>(size), static_cast<unsigned long long>(kCut),
              static_cast<unsigned long long>(removed), ok ? "" : "  FAILED");
  if (cp.wall > 0) {
    std::printf("   cp of the file                %8.3f s wall %8.3f s CPU  | peak RSS %6.1f MiB\n", cp.wall, cp.cpu,
                cp.rss_kb / 1024.0);
  }
  if (lint.wall > 0) {
    std::printf("   tblint (lint only)            %8.3f s wall %8.3f s CPU  | peak RSS %6.1f MiB | %.2fx cp\n",
                lint.wall, lint.cpu, lint.rss_kb / 1024.0, lint.wall / cp.wall);
  }
  if (fix.wall > 0) {
    std::printf("   tblint --fix                  %8.3f s wall %8.3f s CPU  | peak RSS %6.1f MiB | %.2fx cp\n",
                fix.wall, fix.cpu, fix.rss_kb / 1024.0, fix.wall / cp.wall);
  }
  if (apply_best >= 0) {
    std::printf("   the fix step (ApplyFixes)     %8.4f s wall %8.4f s CPU                     | %.4fx cp\n",
                apply_best, apply_cpu, cp.wall > 0 ? apply_best / cp.wall : 0.0);
  }
  std::fflush(stdout);
  return ok;
}

// r) at 50 MB and 500 MB (5 and 50 with --quick), so proportionality shows.
bool FixBench(const Options& o) {
  bool ok = true;
  for (const uint64_t mb : o.quick ? std::vector<uint64_t>{5, 50} : std::vector<uint64_t>{50, 500}) {
    ok = FixBenchOne(o, mb) && ok;
  }
  std::printf("r) sources kept in %s.bench-fix (delete by hand)\n", o.dir.c_str());
  return ok;
}

// ---------------------------------------------------------------------------
// s) and n): many files, many findings (docs/performance.md, "bench modes s
// and n"). Each brings its own logdir under --dir's parent and removes it.

// Small event file `i` of a logdir of `runs` run directories under `dir`: a
// file_version record and 10 scalars, about 440 bytes, in run `i % runs`.
FileEntry WriteSmallFile(const std::string& dir, int i, int runs, double now) {
  const std::string run = "run" + std::to_string(i % runs);
  if (i < runs) fs::create_directories(dir + "/" + run);
  char name[96];
  std::snprintf(name, sizeof name, "/events.out.tfevents.%lld.host.%d.0", static_cast<long long>(now) - 86400 + i, i);
  const std::string path = dir + "/" + run + name;
  EventFileWriter w(path, /*tf2=*/false);
  w.FileVersion(now - 86400 + i);
  for (int step = 0; step < 10; ++step) w.Scalar(now - 86400 + i + step, step, "loss", 1.0f / (step + 1));
  FileEntry e;
  e.rel = run + name;
  e.records = w.records();
  e.size = w.Close(path);
  return e;
}

// Writes `files` such files into `runs` run directories under `dir`.
void WriteSmallFiles(const std::string& dir, int files, int runs, double now) {
  for (int i = 0; i < files; ++i) WriteSmallFile(dir, i, runs, now);
}

// Run `r` of a logdir whose every record has a damaged data CRC: one file of
// `per_file` records, so `per_file` TB104 findings.
FileEntry WriteDamagedFile(const std::string& dir, int r, int per_file, double now) {
  tensorboard::Event ev;
  std::string payload, framed;
  const std::string run = "run" + std::to_string(r);
  fs::create_directories(dir + "/" + run);
  FileEntry e;
  e.rel = run + "/events.out.tfevents." + std::to_string(static_cast<long long>(now) - 86400) + ".host." +
          std::to_string(r) + ".0";
  std::string data;
  for (int i = 0; i < per_file; ++i) {
    ev.Clear();
    ev.set_wall_time(now - 86400 + i);
    ev.set_step(i);
    auto* v = ev.mutable_summary()->add_value();
    v->set_tag("loss");
    v->set_simple_value(static_cast<float>(i));
    payload.clear();
    ev.SerializeToString(&payload);
    framed.clear();
    tblint::AppendRecord(&framed, payload);
    framed.back() = static_cast<char>(framed.back() ^ 0x5a);  // the data CRC's last byte
    data += framed;
  }
  const std::string path = dir + "/" + e.rel;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
  e.size = data.size();
  e.records = static_cast<uint64_t>(per_file);
  return e;
}

// `runs` runs of WriteDamagedFile: runs * per_file TB104 findings.
void WriteDamagedFiles(const std::string& dir, int runs, int per_file, double now) {
  for (int r = 0; r < runs; ++r) WriteDamagedFile(dir, r, per_file, now);
}

void PrintChild(const char* label, const ChildRun& r) {
  std::printf("   %-44s %8.3f s wall %8.3f s CPU  | peak RSS %7.1f MiB\n", label, r.wall, r.cpu, r.rss_kb / 1024.0);
}

bool ManyFilesBench(const Options& o) {
  bool ok = true;
  const std::string root = o.dir + ".bench-many";
  const double now = Now();
  std::error_code ec;
  if (o.Wants('s')) {
    // Per-file cost: `tblint --jobs 1` against `cat` of the same files.
    const int small = o.quick ? 2000 : 20000;
    const std::string dir = root + "/small";
    std::filesystem::remove_all(dir, ec);
    WriteSmallFiles(dir, small, small / 100, now);
    const std::string cat = "find '" + dir + "' -type f -print0 | xargs -0 cat";
    ChildRun lint, reader;
    for (int i = 0; i < o.reps; ++i) {
      KeepBest(TimedChild({TBLINT_BINARY, "--fail-on", "never", "--jobs", "1", dir}), &lint, &ok);
      KeepBest(TimedChild({"/bin/sh", "-c", cat}), &reader, &ok);
    }
    std::printf("s) %d small event files (%d runs), best of %d:\n", small, small / 100, o.reps);
    PrintChild("tblint --jobs 1", lint);
    PrintChild("find | xargs cat", reader);
    std::printf("   per file: tblint %.1f us CPU, cat %.1f us CPU\n", lint.cpu / small * 1e6, reader.cpu / small * 1e6);
    std::filesystem::remove_all(dir, ec);
    // Memory with many files: the whole process's peak RSS.
    const int many = o.quick ? 10000 : 100000;
    std::filesystem::remove_all(dir, ec);
    WriteSmallFiles(dir, many, many / 100, now);
    ChildRun big;
    KeepBest(TimedChild({TBLINT_BINARY, "--fail-on", "never", dir}), &big, &ok);
    std::printf("s) %d small event files (%d runs), once:\n", many, many / 100);
    PrintChild("tblint (all cores)", big);
    std::printf("   per file: %.2f KiB of peak RSS\n", big.rss_kb / static_cast<double>(many));
    std::filesystem::remove_all(dir, ec);
  }
  if (o.Wants('n')) {
    // Many findings: 100 runs of one file, every record's data CRC damaged.
    const int runs = 100, per_file = o.quick ? 100 : 1000;
    const std::string dir = root + "/findings";
    std::filesystem::remove_all(dir, ec);
    WriteDamagedFiles(dir, runs, per_file, now);
    std::printf("n) %d findings (TB104 in %d files), --fail-on never, best of %d:\n", runs * per_file, runs,
                o.reps);
    for (const char* format : {"text", "json", "github", "sarif", "junit", "html"}) {
      ChildRun best;
      bool child_ok = true;  // tblint exits 1 on findings: TimedChild reports that as a failure
      for (int i = 0; i < o.reps; ++i) {
        ChildRun r = TimedChild({TBLINT_BINARY, "--fail-on", "never", "--format", format, dir});
        KeepBest(r, &best, &child_ok);
      }
      ok = ok && child_ok;
      const std::string label = std::string("tblint --format ") + format;
      PrintChild(label.c_str(), best);
    }
    {
      // --write-baseline records every finding (and the report then shows none).
      ChildRun best;
      bool child_ok = true;
      const std::string baseline = root + "/baseline.json";
      for (int i = 0; i < o.reps; ++i) {
        KeepBest(TimedChild({TBLINT_BINARY, "--fail-on", "never", "--quiet", "--write-baseline", baseline, dir}), &best,
                 &child_ok);
      }
      ok = ok && child_ok;
      PrintChild("tblint --write-baseline", best);
    }
    {
      // tblint runs counts the findings per run (and keeps every file's tags).
      ChildRun best;
      bool child_ok = true;
      for (int i = 0; i < o.reps; ++i) KeepBest(TimedChild({TBLINT_BINARY, "runs", dir}), &best, &child_ok);
      ok = ok && child_ok;
      PrintChild("tblint runs", best);
    }
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::remove_all(root, ec);
  std::fflush(stdout);
  return ok;
}

// One event file of `tags` distinct scalar tags, `points` points each, in
// `dir`, logged like the real writers do (every tag once per step, in one
// fixed order, one value per event): 1 + tags * points records. Returns its path.
std::string WriteManyTagsFile(const std::string& dir, int tags, int points, double now) {
  const std::string path =
      dir + "/events.out.tfevents." + std::to_string(static_cast<long long>(now) - 86400) + ".host.1.0";
  EventFileWriter w(path, /*tf2=*/false);
  w.FileVersion(now - 86400);
  std::vector<std::string> names;
  char name[64];
  for (int t = 0; t < tags; ++t) {
    std::snprintf(name, sizeof name, "layer_%04d/unit_%03d/grad_norm", t / 1000, t % 1000);
    names.emplace_back(name);
  }
  for (int step = 0; step < points; ++step) {
    for (int t = 0; t < tags; ++t) {
      w.Scalar(now - 86400 + step, step, names[static_cast<size_t>(t)], 1.0f / static_cast<float>(step + t + 1));
    }
  }
  w.Close(path);
  return path;
}

// t) many tags (docs/performance.md, "Many tags (bench mode t)"): one event
// file of 100,000 distinct scalar tags and one of 1,000,000, a few points
// each, logged like the real writers do (every tag once per step, in one
// fixed order, one value per event), against a file of 8 tags with the same
// number of records. Each is linted as a logdir of one run by the tblint
// binary in its own process: MB/s, records/s and peak RSS.
bool ManyTagsBench(const Options& o) {
  bool ok = true;
  const std::string root = o.dir + ".bench-tags";
  const double now = Now();
  std::error_code ec;
  struct Case {
    const char* label;
    int tags, points;
  };
  const int scale = o.quick ? 10 : 1;
  const Case cases[] = {{"8 tags", 8, 125000 / scale},
                        {"100,000 tags", 100000 / scale, 10},
                        {"1,000,000 tags", 1000000 / scale, 3}};
  double ref_cpu_per_byte = 0;
  std::printf("t) one event file per line, linted by `tblint --format json DIR` in its own process:\n");
  for (const Case& c : cases) {
    const std::string dir = root + "/" + std::to_string(c.tags);
    std::filesystem::remove_all(dir, ec);
    fs::create_directories(dir);
    const std::string path = WriteManyTagsFile(dir, c.tags, c.points, now);
    const uint64_t records = 1 + static_cast<uint64_t>(c.tags) * static_cast<uint64_t>(c.points);
    const auto bytes = static_cast<double>(fs::file_size(path));
    ChildRun best;
    const int reps = c.tags >= 1000000 / scale ? std::min(o.reps, 2) : o.reps;
    for (int i = 0; i < reps; ++i) {
      KeepBest(TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", dir}), &best, &ok);
    }
    const double cpu_per_byte = best.cpu / bytes;
    if (ref_cpu_per_byte == 0) ref_cpu_per_byte = cpu_per_byte;
    std::printf("   %-15s %7d points each: %7.1f MB, %9llu records | best of %d: %7.3f s wall %7.3f s CPU | "
                "MB/s %6.1f | Mrec/s %5.2f | peak RSS %6.1f MiB | CPU per byte %.2fx the 8 tags'\n",
                c.label, c.points, bytes / kMB, static_cast<unsigned long long>(records), reps, best.wall, best.cpu,
                bytes / kMB / best.wall, static_cast<double>(records) / 1e6 / best.wall, best.rss_kb / 1024.0,
                cpu_per_byte / ref_cpu_per_byte);
    std::fflush(stdout);
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::remove_all(root, ec);
  return ok;
}

// ---------------------------------------------------------------------------
// h) histograms and images (docs/performance.md, "Histograms and images
// (bench mode h)"): a logdir of 20 runs, one event file each, written the way
// PyTorch's SummaryWriter writes add_histogram and add_image (one value per
// event), linted by the tblint binary in its own process, `--jobs 1`; then the
// CPU cost of a second job: `--jobs 2` against `--jobs 1` on the main logdir.

constexpr int kHistoRuns = 20;
constexpr const char* kHistoManifestMagic = "tblint-bench histogram/image logdir v1";

std::string HistoManifestHeader(const Options& o) {
  std::ostringstream s;
  s << kHistoManifestMagic << "\nmb " << o.mb << "\nruns " << kHistoRuns << "\n";
  return s.str();
}

// One run: a file_version record, then per logging step (every 100 optimiser
// steps) the loss, four histograms (weights and gradients of two layers, 30
// buckets over a million values) and one 64x64 RGB image of 2-6 KB.
FileEntry WriteHistoRun(const std::string& dir, int index, uint64_t target_bytes, double now) {
  char run[64];
  std::snprintf(run, sizeof run, "cnn_histograms/trial%02d_seed%d", index, index % 3);
  const double start = now - 2 * 86400.0 + index * 1013.0;
  char name[128];
  std::snprintf(name, sizeof name, "events.out.tfevents.%lld.bench-host.%d.0", static_cast<long long>(start),
                5000 + index);
  const std::string rel = std::string(run) + "/" + name;
  const std::string path = dir + "/" + rel;
  fs::create_directories(dir + "/" + run);
  Rng rng{0x4157ull * 1000003ull + static_cast<uint64_t>(index)};
  EventFileWriter w(path, /*tf2=*/false);
  w.FileVersion(start);
  static const char* const kHistTags[] = {"conv1/weight", "conv1/weight.grad", "fc/weight", "fc/weight.grad"};
  static const double kParams[] = {1728, 1728, 1048576, 1048576};
  double wall = start + 3.0;
  for (int64_t logged = 0; w.bytes() < target_bytes; ++logged) {
    const int64_t step = logged * 100;
    const double s = static_cast<double>(step);
    wall += 8 + 4 * rng.Uniform();
    const double loss = 0.1 + 2.2 * std::exp(-s / 40000.0) + 0.05 * std::abs(rng.Normal());
    w.Scalar(wall, step, "train/loss", static_cast<float>(loss));
    for (int h = 0; h < 4; ++h) {
      const bool grad = h % 2 == 1;
      const double sigma = grad ? 1e-3 * (0.2 + std::exp(-s / 30000.0)) : 0.05 * (1 + s / 1e6);
      w.Histogram(wall + 1e-3 * (h + 1), step, kHistTags[h], grad ? 0.0 : 1e-4 * rng.Normal(), sigma, kParams[h],
                  30, &rng);
    }
    w.Image(wall + 6e-3, step, "samples/input", 64, 64, 3, 2048 + rng.Next() % 4096, &rng);
  }
  FileEntry e;
  e.rel = rel;
  e.records = w.records();
  e.size = w.Close(path);
  return e;
}

// Fills *line with "findings: CODExN ..." from the `tblint --format json`
// report in `json_path`; returns false (and why, in *problem) when its summary
// does not count `l`'s records and bytes or a finding's rule is not in
// `expected`.
bool SummariseFindings(const std::string& json_path, const Logdir& l, const std::vector<std::string>& expected,
                       std::string* line, std::string* problem) {
  std::ifstream in(json_path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    *problem = "the JSON report did not parse";
    return false;
  }
  bool ok = true;
  const auto& summary = doc["summary"];
  const uint64_t records = summary.value("records", uint64_t{0}), bytes = summary.value("bytes", uint64_t{0});
  if (records != l.records || bytes != l.bytes) {
    *problem += "MISMATCH: scanned " + std::to_string(records) + " records, " + std::to_string(bytes) + " bytes; ";
    ok = false;
  }
  std::map<std::string, int> by_rule;
  for (const auto& f : doc["findings"]) ++by_rule[f.value("code", std::string("?"))];
  *line = "findings:";
  if (by_rule.empty()) *line += " none";
  for (const auto& [code, n] : by_rule) {
    *line += " " + code + "x" + std::to_string(n);
    if (std::find(expected.begin(), expected.end(), code) == expected.end()) {
      *problem += "unexpected " + code + "; ";
      ok = false;
    }
  }
  return ok;
}

bool HistoImageBench(const Options& o, const Logdir& main_logdir) {
  bool ok = true;
  // The histogram/image logdir: generated once, reused while it matches.
  Options ho = o;
  ho.dir = o.dir + ".bench-histo";
  const Logdir hl =
      PrepareGenerated(ho.dir, HistoManifestHeader(o), kHistoRuns, o.mb * 1000000ull, o.regenerate, WriteHistoRun);
  std::printf("h) histogram/image logdir: %s (%s in %.1f s; delete by hand)\n", ho.dir.c_str(),
              hl.generated ? "generated" : "reused", hl.seconds);
  std::printf("   %zu files in %d runs, %llu bytes (%.1f MB), %llu records (%.1f bytes/record)\n", hl.files.size(),
              kHistoRuns, static_cast<unsigned long long>(hl.bytes), hl.bytes / kMB,
              static_cast<unsigned long long>(hl.records), static_cast<double>(hl.bytes) / hl.records);
  std::fflush(stdout);
  WarmPageCache(ho, hl);
  ChildRun best;
  for (int i = 0; i < o.reps; ++i) {
    KeepBest(TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", "--jobs", "1", ho.dir}), &best,
             &ok);
  }
  if (best.wall > 0) {
    std::printf("   tblint --jobs 1 %7.1f MB, %9llu records | best of %d: %7.3f s wall %7.3f s CPU | "
                "MB/s %6.1f | Mrec/s %5.2f | peak RSS %6.1f MiB | per CPU-second: MB/s %6.1f\n",
                hl.bytes / kMB, static_cast<unsigned long long>(hl.records), o.reps, best.wall, best.cpu,
                hl.bytes / kMB / best.wall, static_cast<double>(hl.records) / 1e6 / best.wall, best.rss_kb / 1024.0,
                hl.bytes / kMB / best.cpu);
  } else {
    std::printf("   tblint --jobs 1: FAILED\n");
  }
  // The generated files are valid: the report counts every record and byte,
  // and its only findings are TB601 (downsampled-tag, info): TensorBoard keeps
  // 500 histograms and 10 images per tag, as on any long real run.
  const std::string report = o.dir + ".bench-histo.json";
  const ChildRun check =
      TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", "--jobs", "1", ho.dir}, report);
  std::string line, problem;
  if (check.wall < 0 || !SummariseFindings(report, hl, {"TB601"}, &line, &problem)) ok = false;
  std::printf("   %s%s%s\n", line.c_str(), problem.empty() ? "" : "  UNEXPECTED: ", problem.c_str());
  ::unlink(report.c_str());
  std::fflush(stdout);

  // The cost of a second job: CPU time (user + system) of the whole process,
  // `--jobs 2` against `--jobs 1`, on the main logdir, interleaved, best of
  // --reps each.
  WarmPageCache(o, main_logdir);
  ChildRun j1, j2;
  for (int i = 0; i < o.reps; ++i) {
    KeepBest(TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", "--jobs", "1", o.dir}), &j1, &ok);
    KeepBest(TimedChild({TBLINT_BINARY, "--format", "json", "--fail-on", "never", "--jobs", "2", o.dir}), &j2, &ok);
  }
  std::printf("h) main logdir (%zu runs, %.1f MB), `tblint --format json --jobs N`, best of %d:\n",
              main_logdir.files.size(), main_logdir.bytes / kMB, o.reps);
  const auto print_jobs = [&](const char* label, const ChildRun& r) {
    std::printf("   %-8s %7.3f s wall %7.3f s CPU | MB/s %6.1f | peak RSS %6.1f MiB\n", label, r.wall, r.cpu,
                main_logdir.bytes / kMB / r.wall, r.rss_kb / 1024.0);
  };
  print_jobs("--jobs 1", j1);
  print_jobs("--jobs 2", j2);
  if (j1.cpu > 0 && j2.cpu > 0) {
    const double ratio = j2.cpu / j1.cpu;
    std::printf("   jobs 2 CPU / jobs 1 CPU: %.2fx%s\n", ratio, ratio > 1.1 ? "  (over the 1.1x limit)" : "");
  }
  std::fflush(stdout);
  return ok;
}

// --generate KIND: writes (or reuses) one of the benchmark's logdirs in
// --dir and keeps it, with a manifest, so that other tools (bench/callgrind.sh)
// can measure it.
int Generate(const Options& o) {
  Logdir l;
  const double now = Now();
  if (o.generate == "scalar") {
    l = PrepareLogdir(o);
  } else if (o.generate == "histo") {
    l = PrepareGenerated(o.dir, HistoManifestHeader(o), kHistoRuns, o.mb * 1000000ull, o.regenerate, WriteHistoRun);
  } else if (o.generate == "tags") {
    const int tags = o.tags > 0 ? o.tags : o.quick ? 10000 : 100000, points = o.points;
    const std::string header =
        "tblint-bench many-tags logdir v1\ntags " + std::to_string(tags) + "\npoints " + std::to_string(points) + "\n";
    l = PrepareGenerated(o.dir, header, 1, 0, o.regenerate, [&](const std::string& dir, int, uint64_t, double) {
      FileEntry e;
      const std::string path = WriteManyTagsFile(dir, tags, points, now);
      e.rel = fs::path(path).filename().string();
      e.size = fs::file_size(path);
      e.records = 1 + static_cast<uint64_t>(tags) * points;
      return e;
    });
  } else if (o.generate == "findings") {
    const int runs = 100, per_file = o.quick ? 100 : 1000;
    const std::string header =
        "tblint-bench many-findings logdir v1\nfindings " + std::to_string(runs * per_file) + "\n";
    l = PrepareGenerated(o.dir, header, runs, 0, o.regenerate, [&](const std::string& dir, int i, uint64_t, double) {
      return WriteDamagedFile(dir, i, per_file, now);
    });
  } else {
    const int files = o.quick ? 2000 : 20000, runs = files / 100;
    const std::string header = "tblint-bench small-files logdir v1\nfiles " + std::to_string(files) + "\n";
    l = PrepareGenerated(o.dir, header, files, 0, o.regenerate, [&](const std::string& dir, int i, uint64_t, double) {
      return WriteSmallFile(dir, i, runs, now);
    });
  }
  std::printf("%s logdir: %s (%s in %.1f s): %zu files, %llu bytes, %llu records\n", o.generate.c_str(), o.dir.c_str(),
              l.generated ? "generated" : "reused", l.seconds, l.files.size(), static_cast<unsigned long long>(l.bytes),
              static_cast<unsigned long long>(l.records));
  return 0;
}

int Run(const Options& o) {
  const unsigned cores = std::thread::hardware_concurrency();
  std::printf("tblint_bench: build %s, %s\n", TBLINT_BENCH_BUILD_TYPE, __VERSION__);
  std::printf("cpu: %s, %u logical cores; crc32c: %s (hardware %s)\n", CpuModel().c_str(), cores,
              tblint::crc32c::ImplementationName(),
              tblint::crc32c::HardwareAvailable() ? "available" : "not available");
  std::fflush(stdout);
  // r) brings its own files: alone (--only r) it needs no logdir.
  if (o.only.find_first_not_of("r,") == std::string::npos) return FixBench(o) ? 0 : 1;
  // s) and n) too.
  if (o.only.find_first_not_of("sn,") == std::string::npos) return ManyFilesBench(o) ? 0 : 1;
  // t) too.
  if (o.only.find_first_not_of("t,") == std::string::npos) return ManyTagsBench(o) ? 0 : 1;

  const Logdir l = PrepareLogdir(o);
  std::printf("logdir: %s (%s in %.1f s)\n", o.dir.c_str(), l.generated ? "generated" : "reused", l.seconds);
  std::printf("  %zu files in %d runs, %llu bytes (%.1f MB), %llu records (%.1f bytes/record)\n", l.files.size(),
              o.runs, static_cast<unsigned long long>(l.bytes), l.bytes / kMB,
              static_cast<unsigned long long>(l.records), static_cast<double>(l.bytes) / l.records);
  std::printf("  %d repetitions each; MB = 10^6 bytes; best = fastest run, median of all runs\n", o.reps);
  std::fflush(stdout);
  WarmPageCache(o, l);

  std::vector<std::string> paths;
  for (const FileEntry& e : l.files) paths.push_back(o.dir + "/" + e.rel);
  std::vector<Measurement> results;  // printed in the order a, b, c, d
  bool ok = true;
  if (o.Wants('r')) ok = FixBench(o) && ok;  // r) `tblint --fix` of a tail cut
  if (o.Wants('s') || o.Wants('n')) ok = ManyFilesBench(o) && ok;  // s) many files, n) many findings
  if (o.Wants('t')) ok = ManyTagsBench(o) && ok;                    // t) many tags in one file
  if (o.Wants('h')) ok = HistoImageBench(o, l) && ok;               // h) histograms and images; jobs 2 vs 1
  const std::string load_before = LoadAverage();

  // The scans run first, so that the peak RSS they reach is not hidden by the
  // in-memory copy of the logdir that (a) needs.

  // b) framing + CRC through the real reader (pread into its buffer).
  if (o.Wants('b')) {
    uint64_t framed_records = 0;
    Measurement m = Measure("b) framing+CRC, RecordReader", o.reps, l.bytes, l.records, [&] {
      uint64_t n = 0;
      for (const std::string& p : paths) {
        tblint::FileSource src;
        if (auto ec = src.Open(p)) throw std::runtime_error("cannot open " + p + ": " + ec.message());
        tblint::RecordReader reader(&src);
        tblint::Record rec;
        while (reader.Next(&rec)) n += rec.kind == tblint::RecordKind::kOk;
      }
      framed_records = n;
    });
    if (framed_records != l.records) {
      m.note = "MISMATCH: read " + std::to_string(framed_records) + " ok records";
      ok = false;
    }
    results.push_back(std::move(m));
  }

  // c) and d) the full scan, every rule, as `tblint check` runs it.
  auto full_scan = [&](const std::string& label, int jobs) {
    std::string note;
    Measurement m = Measure(label, o.reps, l.bytes, l.records, [&] {
      tblint::ScanConfig config = FullConfig(jobs);
      tblint::LintResult result;
      std::string error;
      if (!tblint::Lint(o.dir, config, &result, &error)) throw std::runtime_error(error);
      if (result.records != l.records || result.bytes != l.bytes) {
        note = "MISMATCH: scanned " + std::to_string(result.records) + " records, " + std::to_string(result.bytes) +
               " bytes";
        ok = false;
      } else if (!result.findings.empty()) {
        std::map<std::string, int> by_rule;
        for (const auto& f : result.findings) ++by_rule[f.rule->code];
        // The logdir is undamaged; long series still draw TB601
        // (downsampled-tag, info), as they would on real training logs.
        note = "findings:";
        for (const auto& [code, n] : by_rule) note += " " + code + "x" + std::to_string(n);
      }
    });
    m.note = note;
    results.push_back(std::move(m));
  };
  if (o.Wants('c')) full_scan("c) full scan, 1 job", 1);
  if (o.Wants('d')) full_scan("d) full scan, all cores (" + std::to_string(cores) + " jobs)", 0);
  const long rss_scan = PeakRssKb();

  // e) memory of the real command: tblint itself, in its own process, on
  // the whole logdir. Its peak RSS is what a user's machine sees.
  long rss_cli = -1;
  if (o.Wants('e')) rss_cli = CliPeakRssKb(o.dir);

  // x) the export, as a user runs it: CSV and JSON Lines to /dev/null (the
  // work of formatting, not the disk's speed), SQLite to a file beside the
  // logdir (removed after). Best of min(reps, 3) runs each.
  struct ExportResult {
    const char* format;
    double seconds = -1;
    double cpu = -1;
    long rss_kb = -1;
  };
  std::vector<ExportResult> exports;
  if (o.Wants('x')) {
    for (const char* format : {"csv", "jsonl", "sqlite"}) {
      ExportResult r{format};
      const std::string out = std::string(format) == "sqlite" ? o.dir + ".bench-export.db" : "/dev/null";
      for (int i = 0; i < std::min(o.reps, 3); ++i) {
        long rss = -1;
        double cpu = -1;
        const double t = TimedExport(o.dir, format, out, &rss, &cpu);
        if (t < 0) {
          ok = false;
          break;
        }
        if (r.seconds < 0 || t < r.seconds) r.seconds = t;
        if (r.cpu < 0 || cpu < r.cpu) r.cpu = cpu;
        r.rss_kb = std::max(r.rss_kb, rss);
      }
      if (out != "/dev/null") ::unlink(out.c_str());
      exports.push_back(r);
    }
  }

  // m) the merge, as a user runs it, writing a new logdir beside the input.
  struct MergeResult {
    const char* label;
    std::vector<std::string> mode;
    double seconds = -1;
    long rss_kb = -1;
  };
  std::vector<MergeResult> merges;
  if (o.Wants('m')) {
    merges = {{"combine", {}}, {"--join", {"--join"}}, {"--reduce all", {"--reduce", "all"}}};
    // The merge's own speed, not the disk's: the output goes to tmpfs when
    // it has room (fsync is then free), else beside the logdir.
    std::string merge_out = o.dir + ".bench-merge";
    struct statvfs vfs {};
    if (::statvfs("/dev/shm", &vfs) == 0 && static_cast<double>(vfs.f_bavail) * vfs.f_frsize > 2.0 * l.bytes) {
      merge_out = "/dev/shm/tblint-bench-merge-" + std::to_string(::getpid());
    }
    std::printf("m) merge output: %s\n", merge_out.c_str());
    for (MergeResult& r : merges) {
      for (int i = 0; i < std::min(o.reps, 3); ++i) {
        long rss = -1;
        const double t = TimedMerge(o.dir, r.mode, merge_out, &rss);
        if (t < 0) {
          ok = false;
          break;
        }
        if (r.seconds < 0 || t < r.seconds) r.seconds = t;
        r.rss_kb = std::max(r.rss_kb, rss);
      }
    }
  }

  // a) bare CRC over the same bytes, held in memory.
  std::vector<Measurement> crc;
  if (o.Wants('a')) {
    std::vector<std::string> contents;
    contents.reserve(paths.size());
    for (const std::string& p : paths) contents.push_back(ReadWhole(p));
    auto bulk = [&](uint32_t (*extend)(uint32_t, const void*, size_t)) {
      return [&contents, extend] {
        uint32_t x = 0;
        for (const std::string& c : contents) x ^= extend(0, c.data(), c.size());
        g_sink = x;
      };
    };
    auto per_record = [&](uint32_t (*extend)(uint32_t, const void*, size_t)) {
      return [&contents, extend] {
        uint32_t x = 0;
        for (const std::string& c : contents) x ^= CrcPerRecord(c, extend);
        g_sink = x;
      };
    };
    if (tblint::crc32c::HardwareAvailable()) {
      crc.push_back(Measure("a) crc32c bulk, hardware", o.reps, l.bytes, 0, bulk(&ExtendHardware)));
      crc.push_back(Measure("a) crc32c per record, hardware", o.reps, l.bytes, l.records, per_record(&ExtendHardware)));
    } else {
      std::printf("(no CRC-32C instructions on this CPU: hardware path not measured)\n");
    }
    crc.push_back(Measure("a) crc32c bulk, portable", o.reps, l.bytes, 0, bulk(&ExtendPortable)));
    crc.push_back(Measure("a) crc32c per record, portable", o.reps, l.bytes, l.records, per_record(&ExtendPortable)));
    crc.push_back(Measure(std::string("a) crc32c per record, Extend (") + tblint::crc32c::ImplementationName() + ")",
                          o.reps, l.bytes, l.records, per_record(&tblint::crc32c::Extend)));
  }
  const long rss_end = PeakRssKb();

  std::printf("\n");
  for (const Measurement& m : crc) Print(m);
  for (const Measurement& m : results) Print(m);
  std::printf("\npeak RSS: %.1f MiB after the scans (b-d); %.1f MiB at the end (a holds the logdir in memory)\n",
              rss_scan / 1024.0, rss_end / 1024.0);
  if (rss_cli >= 0) {
    std::printf("e) peak RSS of `tblint --format json %s` in its own process: %.1f MiB\n", o.dir.c_str(),
                rss_cli / 1024.0);
  }
  double csv_s = -1, csv_cpu = -1;
  for (const ExportResult& r : exports) {
    if (r.seconds < 0) {
      std::printf("x) tblint export --format %s: FAILED\n", r.format);
      continue;
    }
    if (std::string(r.format) == "csv") csv_s = r.seconds, csv_cpu = r.cpu;
    std::printf("x) tblint export --format %-6s  MB/s best %7.1f  | %.3f s | peak RSS %.1f MiB", r.format,
                l.bytes / kMB / r.seconds, r.seconds, r.rss_kb / 1024.0);
    if (std::string(r.format) == "sqlite" && csv_s > 0) std::printf("  | %.2fx the csv time", r.seconds / csv_s);
    std::printf("\n   per CPU-second: MB/s %7.1f  | Mrec/s %.2f | %.3f s CPU", l.bytes / kMB / r.cpu,
                static_cast<double>(l.records) / 1e6 / r.cpu, r.cpu);
    if (std::string(r.format) == "sqlite" && csv_cpu > 0) std::printf("  | %.2fx the csv CPU time", r.cpu / csv_cpu);
    std::printf("\n");
  }
  for (const MergeResult& r : merges) {
    if (r.seconds < 0) {
      std::printf("m) tblint merge %s: FAILED\n", r.label);
      continue;
    }
    std::printf("m) tblint merge %-13s MB/s best %7.1f  | %.3f s | peak RSS %.1f MiB\n", r.label,
                l.bytes / kMB / r.seconds, r.seconds, r.rss_kb / 1024.0);
  }
  std::printf("load average before: %s; after: %s\n", load_before.c_str(), LoadAverage().c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  try {
    return o.generate.empty() ? Run(o) : Generate(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tblint_bench: %s\n", e.what());
    return 2;
  }
}
