#include "cli/export_command.h"

#include <sqlite3.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <iostream>

#include "cli/export_options.h"
#include "export/pivot.h"
#include "export/query.h"
#include "export/sinks.h"
#include "util/text.h"

namespace tblint {

namespace po = boost::program_options;

void AddExportOptions(po::options_description* options, ExportOptionText* text) {
  options->add_options()                                                                 //
      ("view", po::value(&text->view)->value_name("raw|tensorboard"),                    //
       "raw: every record as written (default); tensorboard: what the dashboard shows")  //
      ("kinds", po::value(&text->kinds)->composing()->value_name("KIND,..."),
       "only these kinds: scalars, tensors, histograms, images, audio, text, hparams, metrics")                  //
      ("tags", po::value(&text->tags)->composing()->value_name("GLOB"), "only tags matching GLOB (repeatable)")  //
      ("runs", po::value(&text->runs)->composing()->value_name("GLOB"),
       "only runs (dir_name) matching GLOB (repeatable)")  //
      ("media-dir", po::value(&text->media_dir)->value_name("DIR"),
       "write image and audio bytes to files in DIR (their path in the path column)");
}

bool ResolveExportOptions(const ExportOptionText& text, xport::ExportOptions* out, std::ostream& err) {
  if (text.view == "raw") {
    out->view = xport::View::kRaw;
  } else if (text.view == "tensorboard") {
    out->view = xport::View::kTensorBoard;
  } else {
    err << "tblint: unknown view '" << EscapeForText(text.view) << "': --view must be raw or tensorboard\n";
    return false;
  }
  if (!text.kinds.empty()) {
    for (bool& k : out->kinds) k = false;
    for (const std::string& arg : text.kinds) {
      size_t start = 0;
      while (start <= arg.size()) {
        size_t comma = arg.find(',', start);
        if (comma == std::string::npos) comma = arg.size();
        std::string word = arg.substr(start, comma - start);
        while (!word.empty() && word.back() == ' ') word.pop_back();
        while (!word.empty() && word.front() == ' ') word.erase(0, 1);
        start = comma + 1;
        if (word.empty()) continue;
        const std::optional<xport::Kind> kind = xport::ParseKind(word);
        if (!kind) {
          err << "tblint: unknown kind '" << EscapeForText(word)
              << "': --kinds takes scalars, tensors, histograms, images, audio, text, hparams, metrics\n";
          return false;
        }
        out->kinds[static_cast<int>(*kind)] = true;
      }
    }
  }
  out->tag_globs = text.tags;
  out->run_globs = text.runs;
  out->media_dir = text.media_dir;
  if (!out->media_dir.empty()) {
    boost::system::error_code ec;
    boost::filesystem::create_directories(out->media_dir, ec);
    if (!boost::filesystem::is_directory(out->media_dir)) {
      err << "tblint: --media-dir " << EscapeForText(out->media_dir) << " is not a directory that can be created\n";
      return false;
    }
  }
  return true;
}

std::vector<xport::LogdirSpec> LogdirSpecs(const std::vector<std::string>& paths) {
  std::vector<xport::LogdirSpec> out;
  for (const std::string& p : paths) out.push_back(xport::ParseLogdirSpec(p));
  return out;
}

namespace {

class ExportCommand : public Command {
 public:
  std::string_view Synopsis() const override { return "tblint export [OPTIONS] PATH...\n"; }

  std::string_view Description() const override {
    return "Writes every value under each PATH (a logdir, an event file, or NAME:PATH\n"
           "to prefix the run names with NAME) as one long table with tbparse's column\n"
           "names plus kind and provenance: JSON Lines (default) or CSV to standard\n"
           "output or -o FILE, or a SQLite database (-o FILE.db). Nothing is sampled.\n"
           "Damaged spans are skipped and reported on standard error. Exit status: 0,\n"
           "or 2 for a usage error, a PATH that does not exist, or output that could\n"
           "not be written. See docs/export.md.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint export ./logs > values.jsonl              every value, one JSON object a line\n"
           "  tblint export --format csv --kinds scalars ./logs -o scalars.csv\n"
           "  tblint export --format sqlite -o logs.db ./logs  then: sqlite3 logs.db\n"
           "  tblint export --view tensorboard --pivot --format csv ./logs   scalars, wide, as shown\n";
  }

  void AddOptions(po::options_description* options) override {
    options->add_options()                                                  //
        ("format,f", po::value(&format_)->value_name("jsonl|csv|sqlite"),   //
         "output format (default jsonl)")                                   //
        ("output,o", po::value(&output_)->value_name("FILE"),               //
         "write to FILE instead of standard output (required for sqlite)")  //
        ("pivot", po::bool_switch(&pivot_), "scalars in tbparse's wide form: one column per tag");
    AddExportOptions(options, &text_);
  }

  int Run(const po::variables_map&, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    xport::OutputFormat format;
    if (format_ == "jsonl") {
      format = xport::OutputFormat::kJsonl;
    } else if (format_ == "csv") {
      format = xport::OutputFormat::kCsv;
    } else if (format_ == "sqlite") {
      format = xport::OutputFormat::kSqlite;
    } else {
      err << "tblint: unknown format '" << EscapeForText(format_) << "': --format must be jsonl, csv or sqlite\n";
      return kExitUsage;
    }
    xport::ExportOptions options;
    if (!ResolveExportOptions(text_, &options, err)) return kExitUsage;
    if (format == xport::OutputFormat::kSqlite && output_.empty()) {
      err << "tblint: --format sqlite needs -o FILE.db\n";
      return kExitUsage;
    }
    if (pivot_ && format == xport::OutputFormat::kSqlite) {
      err << "tblint: --pivot writes csv or jsonl, not sqlite (the database has the long scalars table)\n";
      return kExitUsage;
    }
    const std::vector<xport::LogdirSpec> specs = LogdirSpecs(paths);
    std::ofstream file;
    std::ostream* dest = &out;
    if (!output_.empty() && format != xport::OutputFormat::kSqlite) {
      file.open(output_, std::ios::binary | std::ios::trunc);
      if (!file) {
        err << "tblint: cannot write " << EscapeForText(output_) << "\n";
        return kExitUsage;
      }
      dest = &file;
    }
    xport::ExportStats stats;
    std::string error;
    bool ok;
    if (pivot_) {
      ok = xport::ExportPivot(specs, options, format == xport::OutputFormat::kCsv, dest, err, &stats, &error);
    } else {
      std::unique_ptr<xport::RowSink> sink = format == xport::OutputFormat::kSqlite
                                                 ? xport::MakeSqliteSink(output_)
                                                 : xport::MakeTextSink(format, options.kinds, dest);
      ok = xport::Export(specs, options, sink.get(), err, &stats, &error);
    }
    if (!ok) {
      err << "tblint: " << EscapeForText(error) << "\n";
      return kExitUsage;
    }
    if (stats.skipped > 0) {
      err << "tblint: export: " << stats.skipped << " damaged or unreadable span" << (stats.skipped == 1 ? "" : "s")
          << " skipped; every valid record was exported\n";
    }
    return kExitClean;
  }

 private:
  std::string format_ = "jsonl";
  std::string output_;
  bool pivot_ = false;
  ExportOptionText text_;
};

class QueryCommand : public Command {
 public:
  std::string_view Synopsis() const override { return "tblint query [OPTIONS] PATH... SQL\n"; }

  std::string_view Description() const override {
    return "Exports every PATH into a SQLite database (in memory, or --db FILE) with\n"
           "the tables of `tblint export --format sqlite`, runs SQL (the last word;\n"
           "several statements allowed) and prints each result as an aligned table,\n"
           "CSV or JSON. Exit status: 0, or 2 for a usage error, a PATH that does not\n"
           "exist, or SQL that fails. See docs/export.md for the tables and examples.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint query ./logs 'SELECT dir_name, tag, max(step) FROM scalars GROUP BY 1, 2'\n"
           "  tblint query --format csv ./logs \"SELECT * FROM hparams\"\n"
           "  tblint query --db logs.db ./logs 'SELECT count(*) FROM scalars'\n";
  }

  void AddOptions(po::options_description* options) override {
    options->add_options()                                                                                //
        ("format,f", po::value(&format_)->value_name("table|csv|json"), "output format (default table)")  //
        ("db", po::value(&db_path_)->value_name("FILE"), "keep the database in FILE (replaced) instead of memory");
    AddExportOptions(options, &text_);
  }

  int Run(const po::variables_map&, const std::vector<std::string>& words, std::ostream& out,
          std::ostream& err) override {
    xport::QueryFormat format;
    if (format_ == "table") {
      format = xport::QueryFormat::kTable;
    } else if (format_ == "csv") {
      format = xport::QueryFormat::kCsv;
    } else if (format_ == "json") {
      format = xport::QueryFormat::kJson;
    } else {
      err << "tblint: unknown format '" << EscapeForText(format_) << "': --format must be table, csv or json\n";
      return kExitUsage;
    }
    if (words.size() < 2) {
      err << "tblint: query needs at least one PATH and the SQL: tblint query PATH... SQL\n";
      return kExitUsage;
    }
    xport::ExportOptions options;
    if (!ResolveExportOptions(text_, &options, err)) return kExitUsage;
    const std::string sql = words.back();
    const std::vector<std::string> paths(words.begin(), words.end() - 1);
    std::string error;
    xport::ExportStats stats;
    if (!db_path_.empty()) {
      std::unique_ptr<xport::RowSink> sink = xport::MakeSqliteSink(db_path_);
      if (!xport::Export(LogdirSpecs(paths), options, sink.get(), err, &stats, &error)) {
        err << "tblint: " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
    }
    sqlite3* db = nullptr;
    const std::string name = db_path_.empty() ? ":memory:" : db_path_;
    if (sqlite3_open_v2(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      err << "tblint: cannot open " << EscapeForText(name) << "\n";
      sqlite3_close(db);
      return kExitUsage;
    }
    int rc = kExitClean;
    if (db_path_.empty()) {
      std::unique_ptr<xport::RowSink> sink = xport::MakeSqliteSink("", db);
      if (!xport::Export(LogdirSpecs(paths), options, sink.get(), err, &stats, &error)) {
        err << "tblint: " << EscapeForText(error) << "\n";
        rc = kExitUsage;
      }
    }
    if (rc == kExitClean && !xport::RunQuery(db, sql, format, out, &error)) {
      err << "tblint: query: " << EscapeForText(error) << "\n";
      rc = kExitUsage;
    }
    sqlite3_close(db);
    return rc;
  }

 private:
  std::string format_ = "table";
  std::string db_path_;
  ExportOptionText text_;
};

}  // namespace

std::unique_ptr<Command> MakeExportCommand() { return std::make_unique<ExportCommand>(); }
std::unique_ptr<Command> MakeQueryCommand() { return std::make_unique<QueryCommand>(); }

}  // namespace tblint
