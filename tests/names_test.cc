// Any bytes in a name are safe (issue 7): run, file and tag names holding
// invalid UTF-8, newlines, terminal escapes, C1 and bidi controls neither
// break the JSON documents (strict parsers accept them, and every name comes
// back byte-exact through the documented scheme), nor reach the terminal raw,
// nor stop --fix halfway; restore puts every such file back byte-identical.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "fix/fixer.h"
#include "test_util.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

// --- the hostile logdir -----------------------------------------------------

// Run directories. String literals are split where a hex escape would
// otherwise swallow the next character.
const std::string kRunInvalid = "r\xff";                      // not UTF-8
const std::string kRunForged = "x: error: fake [TB999 x]\n";  // a finding line, newline included
const std::string kRunClear = "\x1b[2J";                      // clears the screen
const std::string kRunPlain = "plain";

// Tags (valid UTF-8: an Event whose tag is not is undecodable, TB105).
const std::string kTagNewline = "loss\nx: error: fake tag [TB999 x]";
const std::string kTagClear = "\x1b[2J";
const std::string kTagBidiNaN =
    "\xe2\x80\xae"
    "ssol";  // U+202E, then the NaN values
const std::string kTagC1 =
    "\xc2\x9b"
    "2J a\\b";  // U+009B (CSI), a backslash

// Files, relative to the logdir, and what is wrong with them.
const std::string kTruncated = kRunInvalid + "/events.out.tfevents.1795298000.gpu.11.0";
const std::string kTruncatedTags = kRunForged + "/events.out.tfevents.1795298000.gpu.12.0";
const std::string kZeroTail = kRunClear + "/events.out.tfevents.1795298000.h\xfe\nst.13.0";
const std::string kUndecodable = kRunInvalid + "/events.out.tfevents.1795298000.TFEVENTS\xff.15.0";
const std::string kEmpty = kRunClear + "/events.out.tfevents.1795298001.e\x1b]0;pwned\x07.16.0";
const std::string kClean = kRunPlain + "/events.out.tfevents.1795298000.gpu.17.0";

const std::vector<std::string> kSafeFixes = {kTruncated, kTruncatedTags, kZeroTail};
const std::vector<std::string> kUnsafeFixes = {kUndecodable, kEmpty};

// An Event whose tag is not valid UTF-8: built with a placeholder of the
// same length (protobuf would complain about the real one), then patched.
std::string UndecodableScalar(double wall_time, int64_t step) {
  std::string payload = events::Scalar(wall_time, step, "QQQQ", 1.0f);
  const size_t at = payload.find("QQQQ");
  REQUIRE(at != std::string::npos);
  payload.replace(at, 4,
                  "b\xff\xfe"
                  "d");
  return payload;
}

void BuildHostileLogdir(const std::string& dir) {
  // A truncated tail: the last record cut 3 bytes short.
  std::string truncated = test::SmallEventFile(5);
  truncated.resize(truncated.size() - 3);
  test::WriteFile(dir + "/" + kTruncated, truncated);

  // Tags that would forge lines and drive the terminal, a NaN under a bidi
  // override (so a finding carries a tag), and a truncated tail.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::string tags =
      test::Frame({events::PlainHeader(kPast), events::Scalar(kPast + 1, 1, kTagNewline, 0.5f),
                   events::Scalar(kPast + 2, 2, kTagClear, 0.5f), events::Scalar(kPast + 3, 3, kTagBidiNaN, nan),
                   events::Scalar(kPast + 4, 4, kTagC1, 0.5f), events::Scalar(kPast + 5, 5, "loss", 0.5f)});
  tags.resize(tags.size() - 3);
  test::WriteFile(dir + "/" + kTruncatedTags, tags);

  // A zero-filled tail, under a file name with an invalid byte and a newline.
  test::WriteFile(dir + "/" + kZeroTail, test::SmallEventFile(4) + std::string(64, '\0'));

  // An undecodable record (unsafe fix: rewrite), named with "TFEVENTS" too.
  test::WriteFile(dir + "/" + kUndecodable,
                  test::Frame({events::PlainHeader(kPast), events::Scalar(kPast + 1, 1, "acc", 0.1f),
                               UndecodableScalar(kPast + 2, 2), events::Scalar(kPast + 3, 3, "acc", 0.3f)}));

  // An empty file (unsafe fix: move) whose name holds an OSC title sequence.
  test::WriteFile(dir + "/" + kEmpty, "");

  // A clean file, so that a plain run sits among the hostile ones.
  test::WriteFile(dir + "/" + kClean, test::SmallEventFile(3));

  for (const std::string& rel : {kTruncated, kTruncatedTags, kZeroTail, kUndecodable, kEmpty, kClean}) {
    test::SetMtime(dir + "/" + rel, kPast);
  }
}

// Every file and directory under `root` (tblint's backups excepted): its
// relative path, byte-exact, and its content ("/" for a directory).
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (fs::recursive_directory_iterator it(root), end; it != end; ++it) {
    const std::string rel = it->path().string().substr(root.size() + 1);
    if (it->path().filename() == ".tblint-backup") {
      it.disable_recursion_pending();
      continue;
    }
    out[rel] = fs::is_directory(it->symlink_status()) ? "/" : test::ReadFile(it->path().string());
  }
  return out;
}

// --- what a terminal must never receive -------------------------------------

// The first thing in `text` that a terminal would act on, or "".
std::string TerminalHazard(const std::string& text) {
  const auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned c = byte(i);
    if (c == '\n') continue;
    if (c < 0x20 || c == 0x7f) return "control byte " + std::to_string(c) + " at " + std::to_string(i);
    if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) return "C1 control at " + std::to_string(i);
    if (c == 0xe2 && byte(i + 1) == 0x80 &&
        (byte(i + 2) == 0x8e || byte(i + 2) == 0x8f || (byte(i + 2) >= 0xaa && byte(i + 2) <= 0xae))) {
      return "bidi control at " + std::to_string(i);
    }
    if (c == 0xe2 && byte(i + 1) == 0x81 && byte(i + 2) >= 0xa6 && byte(i + 2) <= 0xa9) {
      return "bidi isolate at " + std::to_string(i);
    }
  }
  if (!IsValidUtf8(text)) return "invalid UTF-8";
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, 14, "x: error: fake") == 0) return "a forged finding line at " + std::to_string(start);
    start = end + 1;
  }
  return "";
}

// --- strict JSON, twice -----------------------------------------------------

bool HavePython() { return std::system("command -v python3 >/dev/null 2>&1") == 0; }

// The name fields that may carry a "_bytes" sibling (docs/json.md); other
// fields merely end in "_bytes", like the fixes' integer "dropped_bytes".
const std::set<std::string> kNameFields = {"path", "run", "tag", "logdir", "name", "host", "side_file", "backup"};

// Python's json module in strict mode (no control characters in strings, no
// NaN, input decoded as strict UTF-8): the hex of every name's "_bytes"
// sibling, decoded with strict base64, sorted, one per line; or an error.
std::string PythonDecodedBytes(const std::string& doc, const test::TempDir& tmp) {
  static const char* kScript =
      "import base64, json, sys\n"
      "def no_constants(c):\n"
      "    raise ValueError('non-standard constant ' + c)\n"
      "raw = open(sys.argv[1], 'rb').read().decode('utf-8', errors='strict')\n"
      "doc = json.loads(raw, strict=True, parse_constant=no_constants)\n"
      "NAMES = {'path', 'run', 'tag', 'logdir', 'name', 'host', 'side_file', 'backup'}\n"
      "out = []\n"
      "def walk(v):\n"
      "    if isinstance(v, dict):\n"
      "        for k, x in v.items():\n"
      "            if k.endswith('_bytes') and k[:-6] in NAMES:\n"
      "                out.append(base64.b64decode(x, validate=True).hex())\n"
      "            walk(x)\n"
      "    elif isinstance(v, list):\n"
      "        for x in v:\n"
      "            walk(x)\n"
      "walk(doc)\n"
      "print('\\n'.join(sorted(out)))\n";
  test::WriteFile(tmp / "check.py", kScript);
  test::WriteFile(tmp / "doc.json", doc);
  const std::string cmd = "python3 '" + (tmp / "check.py") + "' '" + (tmp / "doc.json") + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "error: popen failed";
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  return status == 0 ? out : "error: python3 rejected the document: " + out;
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// The same list as PythonDecodedBytes, from nlohmann and GetName.
std::string OurDecodedBytes(const json& doc) {
  std::vector<std::string> out;
  const auto walk = [&](const auto& self, const json& v) -> void {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& key = it.key();
        if (key.size() > 6 && key.compare(key.size() - 6, 6, "_bytes") == 0 &&
            kNameFields.count(key.substr(0, key.size() - 6)) == 1) {
          const auto name = GetName(v, key.substr(0, key.size() - 6));
          REQUIRE(name.has_value());
          out.push_back(Hex(*name));
        }
        self(self, it.value());
      }
    } else if (v.is_array()) {
      for (const json& x : v) self(self, x);
    }
  };
  walk(walk, doc);
  std::sort(out.begin(), out.end());
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) joined += (i ? "\n" : "") + out[i];
  return joined + "\n";
}

// Both strict parsers accept `text`, and agree on every name's exact bytes.
json ParseStrictly(const std::string& text, const test::TempDir& tmp) {
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(text));
  REQUIRE(OurDecodedBytes(doc) != "\n");  // every document here names something that is not UTF-8
  if (HavePython()) {
    CHECK(PythonDecodedBytes(text, tmp) == OurDecodedBytes(doc));
  } else {
    MESSAGE("python3 not found: the document was only checked with nlohmann::json");
  }
  return doc;
}

std::string Name(const json& obj, const std::string& key) {
  const std::optional<std::string> name = GetName(obj, key);
  REQUIRE_MESSAGE(name.has_value(), key << " missing from " << obj.dump());
  return *name;
}

// Every journal under the logdir's backup folder.
std::vector<std::pair<std::string, json>> Journals(const std::string& logdir, const char* file = "journal.json") {
  std::vector<std::pair<std::string, json>> out;
  for (fs::directory_iterator it(logdir + "/.tblint-backup"), end; it != end; ++it) {
    const std::string path = (it->path() / file).string();
    if (fs::exists(path)) out.emplace_back(it->path().string(), json::parse(test::ReadFile(path)));
  }
  return out;
}

// Journals record every fixed file losslessly, each backup has its entry,
// and no backup name contains "tfevents" in any case.
void CheckJournals(const std::string& logdir, const std::vector<std::string>& fixed) {
  const auto journals = Journals(logdir);
  REQUIRE(journals.size() == 1);
  const auto& [session, journal] = journals.front();
  CHECK(Name(journal, "logdir") == fs::absolute(logdir).lexically_normal().string());
  std::set<std::string> paths, backups;
  for (const json& a : journal["actions"]) {
    CHECK(a["state"] == "done");
    paths.insert(Name(a, "path"));
    backups.insert(Name(a, "backup"));
    CHECK(fs::is_regular_file(session + "/" + Name(a, "backup")));
  }
  CHECK(paths == std::set<std::string>(fixed.begin(), fixed.end()));
  for (fs::recursive_directory_iterator it(session), end; it != end; ++it) {
    std::string name = it->path().filename().string();
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK_MESSAGE(name.find("tfevents") == std::string::npos, it->path().string());
    if (fs::is_regular_file(it->path()) && it->path().parent_path().string() != session) {
      const std::string rel = it->path().string().substr(session.size() + 1);
      CHECK_MESSAGE(backups.count(rel) == 1, "a backup with no journal entry: " << rel);
    }
  }
}

// --- the encoding itself ----------------------------------------------------

TEST_CASE("IsValidUtf8 rejects exactly what strict JSON parsers reject") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii \x01\x7f"));
  CHECK(IsValidUtf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  CHECK_FALSE(IsValidUtf8("r\xff"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate (nlohmann rejects \udcff too)
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));          // cut short
  CHECK_FALSE(IsValidUtf8("\x80"));              // a lone continuation byte
}

TEST_CASE("ToValidUtf8 replaces each invalid byte with U+FFFD and keeps the rest") {
  CHECK(ToValidUtf8("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(ToValidUtf8("r\xff") == "r\xef\xbf\xbd");
  CHECK(ToValidUtf8("a\xe2\x82"
                    "b") ==
        "a\xef\xbf\xbd\xef\xbf\xbd"
        "b");
}

TEST_CASE("EscapeForText leaves printable UTF-8 alone and doubles backslashes") {
  CHECK(EscapeForText("train/loss") == "train/loss");
  CHECK(EscapeForText("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac") == "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  CHECK(EscapeForText("a\\nb") == "a\\\\nb");  // a backslash and an n, not a newline
}

TEST_CASE("EscapeForText makes controls, invalid bytes and bidi controls visible") {
  CHECK(EscapeForText("a\nb\tc\rd\x1b[2J") == "a\\nb\\tc\\rd\\e[2J");
  CHECK(EscapeForText(std::string("\x00\x07\x7f", 3)) == "\\x00\\x07\\x7f");
  CHECK(EscapeForText("r\xff\xfe") == "r\\xff\\xfe");
  CHECK(EscapeForText("\xc2\x9b"
                      "2J") == "\\u{9b}2J");  // C1 CSI, a code point
  CHECK(EscapeForText("\xe2\x80\xae"
                      "gpj.exe") == "\\u{202e}gpj.exe");
  CHECK(EscapeForText("\xe2\x81\xa6x\xe2\x81\xa9 \xe2\x80\x8e \xe2\x80\xa8") ==
        "\\u{2066}x\\u{2069} \\u{200e} \\u{2028}");
  CHECK(TerminalHazard("run " + EscapeForText(kRunForged + kRunClear + kTagC1 + kTagBidiNaN + kRunInvalid)) == "");
}

TEST_CASE("EscapeForText: plain ASCII runs next to any bytes escape as each part alone") {
  // Runs of printable ASCII are copied whole; what follows a run must be
  // escaped exactly as on its own: Escape(plain + x) == plain + Escape(x)
  // and Escape(x + plain) == Escape(x) + plain for x of whole code points.
  std::mt19937 rng(20261201);
  const std::vector<std::string> pieces = {"\\", "\n", "\x1b", std::string("\0", 1), "\x7f", "\xff", "\xc3\xa9",
                                           "\xc2\x9b", "\xe2\x80\xae", "\xe6\x97\xa5", "~", " ", "a/b c"};
  for (int round = 0; round < 2000; ++round) {
    std::string x;
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) x += pieces[rng() % pieces.size()];
    const std::string plain = std::string(rng() % 40, 'p') + "run/tag 1.0";
    const std::string escaped = EscapeForText(x);
    CHECK(EscapeForText(plain + x) == plain + escaped);
    CHECK(EscapeForText(x + plain) == escaped + plain);
    CHECK(EscapeForText(plain + x + plain) == plain + escaped + plain);
    for (char c : escaped) CHECK_FALSE((static_cast<unsigned char>(c) < 0x20 || c == 0x7f));
  }
}

TEST_CASE("base64 is standard and one byte string has one encoding") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("r\xff") == "cv8=");
  for (const std::string& s : {std::string(), std::string("r\xff"), kRunForged, std::string("\x00\xff\xfe\x80", 4)}) {
    CHECK(Base64Decode(Base64Encode(s)) == s);
  }
  CHECK_FALSE(Base64Decode("Zg=").has_value());   // not a multiple of 4
  CHECK_FALSE(Base64Decode("Zh==").has_value());  // non-zero padding bits
  CHECK_FALSE(Base64Decode("Z=g=").has_value());
  CHECK_FALSE(Base64Decode("Zm9v\n").has_value());
}

TEST_CASE("a name's exact bytes survive PutName and GetName, and the document stays strict") {
  json obj = json::object();
  PutName(obj, "path", "train");
  CHECK(obj == json{{"path", "train"}});  // a UTF-8 name has no _bytes sibling
  PutName(obj, "path", kRunInvalid);
  CHECK(obj["path"] == "r\xef\xbf\xbd");
  CHECK(obj["path_bytes"] == "cv8=");
  CHECK(GetName(obj, "path") == kRunInvalid);
  PutName(obj, "path", "train");
  CHECK_FALSE(obj.contains("path_bytes"));  // a stale sibling would win over the new name
  CHECK(GetName(obj, "missing") == std::nullopt);
  CHECK(GetName(json{{"path", "x"}, {"path_bytes", "not base64!"}}, "path") == std::nullopt);
  const std::string text = json{{"doc", obj}}.dump();
  CHECK_NOTHROW(json::parse(text));
}

TEST_CASE("DumpJson and ReplaceInvalidUtf8 never lose a document to one unencoded string") {
  json doc = {{"message", "r\xff"}, {"list", {"ok", "\xfe"}}};
  doc["k\xff"] = 1;
  CHECK_THROWS(doc.dump());  // what used to end the report with exit 2
  CHECK_NOTHROW(json::parse(DumpJson(doc)));
  ReplaceInvalidUtf8(&doc);
  CHECK(doc["message"] == "r\xef\xbf\xbd");
  CHECK(doc["k\xef\xbf\xbd"] == 1);
  CHECK_NOTHROW(json::parse(doc.dump()));
}

TEST_CASE("DefangName never leaves tfevents in any case and keeps every other byte") {
  CHECK(DefangName("events.out.tfevents.1.host") == "events.out.tf-events.1.host");
  CHECK(DefangName("a.TFEVENTS.TfEvents\xff\n") == "a.TF-EVENTS.Tf-Events\xff\n");
  CHECK(DefangName("tftfeventsevents") == "tftf-eventsevents");
  CHECK(DefangName(kRunForged) == kRunForged);
}

// --- the whole tool on a hostile logdir --------------------------------------

TEST_CASE("--format json on hostile names exits with findings, parses strictly, and every name round-trips") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  BuildHostileLogdir(logdir);
  const test::CliResult r = test::RunCli({"--format", "json", logdir});
  CHECK(r.exit_code == 1);
  const json doc = ParseStrictly(r.out, tmp);
  REQUIRE(doc["findings"].is_array());

  std::map<std::string, std::set<std::string>> codes_by_path;
  std::set<std::string> runs;
  std::vector<std::string> tags;
  for (const json& f : doc["findings"]) {
    CHECK(Name(f, "logdir") == logdir);
    codes_by_path[Name(f, "path")].insert(f["code"].get<std::string>());
    runs.insert(Name(f, "run"));
    if (f.contains("tag")) tags.push_back(Name(f, "tag"));
  }
  CHECK(codes_by_path[kTruncated].count("TB101") == 1);
  CHECK(codes_by_path[kTruncatedTags].count("TB101") == 1);
  CHECK(codes_by_path[kZeroTail].count("TB102") == 1);
  CHECK(codes_by_path[kUndecodable].count("TB105") == 1);
  CHECK(codes_by_path[kEmpty].count("TB201") == 1);
  CHECK(runs.count(kRunInvalid) == 1);
  CHECK(runs.count(kRunForged) == 1);
  CHECK(runs.count(kRunClear) == 1);
  CHECK(std::find(tags.begin(), tags.end(), kTagBidiNaN) != tags.end());  // TB205's NaN
  // The readable field is there for people, the exact bytes beside it.
  bool saw_invalid = false;
  for (const json& f : doc["findings"]) {
    if (Name(f, "path") == kTruncated) {
      CHECK(f["path"] == kRunInvalid.substr(0, 1) + "\xef\xbf\xbd" + kTruncated.substr(kRunInvalid.size()));
      CHECK(f.contains("path_bytes"));
      saw_invalid = true;
    }
  }
  CHECK(saw_invalid);
  CHECK(Name(doc["paths"][0], "path") == logdir);
}

TEST_CASE("text output on hostile names holds no control, C1 or bidi character and no forged line") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  BuildHostileLogdir(logdir);
  const test::CliResult r = test::RunCli({"--color", "never", logdir});
  CHECK(r.exit_code == 1);
  CHECK(TerminalHazard(r.out) == "");
  CHECK(r.out.find("run " + EscapeForText(kRunForged) + "\n") != std::string::npos);
  CHECK(r.out.find("run x: error: fake [TB999 x]\\n\n") != std::string::npos);
  CHECK(r.out.find(EscapeForText(logdir + "/" + kZeroTail)) != std::string::npos);
  CHECK(r.out.find("\\u{202e}ssol") != std::string::npos);  // the NaN tag, in TB205's message
}

TEST_CASE("tblint runs on hostile names: JSON round-trips every run, file and tag, text stays inert") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  BuildHostileLogdir(logdir);

  const test::CliResult j = test::RunCli({"runs", "--format", "json", logdir});
  CHECK(j.exit_code == 0);
  const json doc = ParseStrictly(j.out, tmp);
  const json& l = doc["logdirs"][0];
  CHECK(Name(l, "path") == logdir);
  std::set<std::string> runs, files, tags;
  for (const json& run : l["runs"]) {
    runs.insert(Name(run, "name"));
    CHECK(Name(run, "path") == logdir + "/" + Name(run, "name"));
    for (const json& f : run["files"]) {
      files.insert(Name(f, "path"));
      CHECK(Name(f, "path") == Name(run, "name") + "/" + Name(f, "name"));
    }
    for (const json& of_kind : run["tags"]) {
      for (const json& t : of_kind) tags.insert(Name(t, "tag"));
    }
  }
  CHECK(runs == std::set<std::string>{kRunInvalid, kRunForged, kRunClear, kRunPlain});
  CHECK(files == std::set<std::string>{kTruncated, kTruncatedTags, kZeroTail, kUndecodable, kEmpty, kClean});
  CHECK(tags == std::set<std::string>{"loss", "acc", kTagNewline, kTagClear, kTagBidiNaN, kTagC1});
  for (const json& run : l["runs"]) {
    for (const json& f : run["files"]) {
      if (Name(f, "path") == kZeroTail) CHECK(Name(f, "host") == "h\xfe\nst");
    }
  }

  const test::CliResult t = test::RunCli({"runs", logdir});
  CHECK(t.exit_code == 0);
  CHECK(TerminalHazard(t.out) == "");
  CHECK(t.out.find("loss\\nx: error: fake tag") != std::string::npos);
  CHECK(t.out.find("\\u{9b}2J a\\\\b") != std::string::npos);
}

TEST_CASE("--fix on hostile names fixes and journals every file, and restore brings every byte back") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  BuildHostileLogdir(logdir);
  const auto before = Snapshot(logdir);

  const test::CliResult fix = test::RunCli({"--fix", "--color", "never", logdir});
  CHECK(TerminalHazard(fix.out) == "");
  CHECK(fix.err == "");
  for (const std::string& rel : kSafeFixes) {
    CHECK_MESSAGE(fix.out.find(EscapeForText(logdir + "/" + rel) + ": fixed: ") != std::string::npos,
                  EscapeForText(rel));
  }
  for (const std::string& rel : kUnsafeFixes) {
    CHECK(fix.out.find(EscapeForText(logdir + "/" + rel) + ": needs --unsafe-fixes: ") != std::string::npos);
  }
  const LintResult after = test::LintPath(logdir);
  CHECK(test::Count(after, "TB101") == 0);
  CHECK(test::Count(after, "TB102") == 0);
  CheckJournals(logdir, kSafeFixes);

  const test::CliResult restore = test::RunCli({"restore", logdir});
  CHECK(restore.exit_code == 0);
  CHECK(TerminalHazard(restore.out) == "");
  CHECK(Snapshot(logdir) == before);
  CHECK(Journals(logdir, "journal.restored.json").size() == 1);
}

TEST_CASE("--fix --unsafe-fixes on hostile names rewrites and moves too, and restore undoes it byte-identical") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  BuildHostileLogdir(logdir);
  const auto before = Snapshot(logdir);

  const test::CliResult fix = test::RunCli({"--fix", "--unsafe-fixes", "--format", "json", logdir});
  CHECK(fix.err == "");
  const json doc = ParseStrictly(fix.out, tmp);
  std::set<std::string> fixed;
  for (const json& o : doc["fixes"]) {
    CHECK_MESSAGE(o["status"] == "fixed", o.dump());
    CHECK(Name(o, "logdir") == logdir);
    fixed.insert(Name(o, "path"));
    // The side file is named by its exact bytes, and holds no "tfevents".
    const std::string side = Name(o, "side_file");
    CHECK(fs::is_regular_file(side));
    std::string lower = fs::path(side).filename().string();
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(lower.find("tfevents") == std::string::npos);
  }
  std::vector<std::string> all = kSafeFixes;
  all.insert(all.end(), kUnsafeFixes.begin(), kUnsafeFixes.end());
  CHECK(fixed == std::set<std::string>(all.begin(), all.end()));
  CHECK_FALSE(fs::exists(logdir + "/" + kEmpty));  // moved into the backup folder
  CheckJournals(logdir, all);
  const LintResult after = test::LintPath(logdir);
  for (const char* code : {"TB101", "TB102", "TB105", "TB201"}) CHECK(test::Count(after, code) == 0);

  const test::CliResult restore = test::RunCli({"restore", "--format", "json", logdir});
  CHECK(restore.exit_code == 0);
  const json restored = ParseStrictly(restore.out, tmp);
  std::set<std::string> restored_paths;
  for (const json& o : restored["restored"]) {
    CHECK(o["status"] == "restored");
    restored_paths.insert(Name(o, "path"));
  }
  std::set<std::string> expected;
  for (const std::string& rel : all) expected.insert(logdir + "/" + rel);
  CHECK(restored_paths == expected);
  CHECK(Snapshot(logdir) == before);
}

}  // namespace
}  // namespace tblint
