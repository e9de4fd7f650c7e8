#include "DatasetSummaryTable.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mc {

namespace {

const char* kColumns[] = {"run",         "subject",      "session",            "task",
                          "status",      "frames",       "tr",                 "mean_fd",
                          "max_fd",      "frames_over",  "minutes_over",       "max_translation_mm",
                          "max_rotation_deg", "seconds", "reason"};
constexpr int kColumnCount = int(sizeof kColumns / sizeof kColumns[0]);

std::string number(double v, const char* format = "%.4f") {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string orNa(const std::string& s) { return s.empty() ? "n/a" : s; }
std::string fromNa(const std::string& s) { return s == "n/a" ? "" : s; }

// A reason is one line; a tab or newline in it would break the table's columns.
std::string cell(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return cells;
    start = tab + 1;
  }
}

}  // namespace

std::string formatDatasetSummary(const std::vector<DatasetRunResult>& runs, double fdThreshold) {
  (void)fdThreshold;  // the frames over it are in each row; the threshold itself is the report's title
  std::ostringstream out;
  for (int c = 0; c < kColumnCount; ++c) out << (c ? "\t" : "") << kColumns[c];
  out << "\n";
  for (const DatasetRunResult& r : runs) {
    const bool hasMotion = r.status != RunStatus::Failed;
    const RunMotionSummary& m = r.motion;
    auto motion = [&](const std::string& v) { return hasMotion ? v : std::string("n/a"); };
    out << r.run.relativePath << '\t' << orNa(r.run.subject) << '\t' << orNa(r.run.session) << '\t'
        << orNa(r.run.task) << '\t' << runStatusName(r.status) << '\t' << motion(std::to_string(m.frames)) << '\t'
        << motion(m.repetitionTime > 0 ? number(m.repetitionTime, "%g") : "n/a") << '\t' << motion(number(m.meanFd))
        << '\t' << motion(number(m.maxFd)) << '\t' << motion(std::to_string(m.framesOver)) << '\t'
        << motion(m.repetitionTime > 0 ? number(m.minutesOver, "%.3f") : "n/a") << '\t'
        << motion(number(m.maxTranslation)) << '\t' << motion(number(m.maxRotation)) << '\t'
        << number(r.seconds, "%.2f") << '\t' << orNa(cell(r.reason)) << '\n';
  }
  return out.str();
}

std::vector<DatasetRunResult> readDatasetSummary(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the dataset summary");
  std::string line;
  if (!std::getline(in, line) || split(line).size() != std::size_t(kColumnCount) || split(line)[0] != "run")
    throw std::runtime_error(path + ": line 1: not a motion summary header");
  std::vector<DatasetRunResult> rows;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const std::vector<std::string> c = split(line);
    if (c.size() != std::size_t(kColumnCount))
      throw std::runtime_error(path + ": line " + std::to_string(number) + ": expected " +
                               std::to_string(kColumnCount) + " columns, found " + std::to_string(c.size()));
    DatasetRunResult r;
    r.run.relativePath = c[0];
    r.run.subject = fromNa(c[1]);
    r.run.session = fromNa(c[2]);
    r.run.task = fromNa(c[3]);
    if (c[4] == "done") r.status = RunStatus::Done;
    else if (c[4] == "skipped") r.status = RunStatus::Skipped;
    else if (c[4] == "failed") r.status = RunStatus::Failed;
    else throw std::runtime_error(path + ": line " + std::to_string(number) + ": unknown status " + c[4]);
    auto real = [&](const std::string& s) { return s == "n/a" ? 0.0 : std::stod(s); };
    try {
      r.motion.frames = int(real(c[5]));
      r.motion.repetitionTime = real(c[6]);
      r.motion.meanFd = real(c[7]);
      r.motion.maxFd = real(c[8]);
      r.motion.framesOver = int(real(c[9]));
      r.motion.minutesOver = real(c[10]);
      r.motion.maxTranslation = real(c[11]);
      r.motion.maxRotation = real(c[12]);
      r.seconds = real(c[13]);
    } catch (const std::exception&) {
      throw std::runtime_error(path + ": line " + std::to_string(number) + ": a number column is not a number");
    }
    r.reason = fromNa(c[14]);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace mc
