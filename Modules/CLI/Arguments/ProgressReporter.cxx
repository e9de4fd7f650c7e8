#include "ProgressReporter.h"

#include <algorithm>
#include <stdexcept>

namespace mc::cli {

int reportFailure(const char* program, const std::exception& e) {
  std::fprintf(stderr, "%s: error: %s\n", program, e.what());
  return dynamic_cast<const std::invalid_argument*>(&e) ? 2 : 1;
}

std::string xmlEscaped(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&') o += "&amp;";
    else if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else o += c;
  }
  return o;
}

ProgressMode resolveProgressMode(const std::string& setting, const char* environment, bool stdoutIsTerminal) {
  std::string s = setting;
  if (s == "auto" && environment && *environment) {
    s = environment;
    if (s != "slicer" && s != "text" && s != "none" && s != "auto")
      throw std::invalid_argument("MC_PROGRESS: expected slicer, text, none or auto, got '" + s + "'");
  }
  if (s == "slicer") return ProgressMode::Slicer;
  if (s == "text") return ProgressMode::Text;
  if (s == "none") return ProgressMode::None;
  return stdoutIsTerminal ? ProgressMode::Text : ProgressMode::Slicer;
}

ProgressReporter::ProgressReporter(ProgressMode mode, std::FILE* out, std::FILE* err)
    : mode_(mode), out_(out), err_(err) {}

void ProgressReporter::start(const std::string& name, const std::string& comment) {
  std::lock_guard<std::mutex> lock(mutex_);
  name_ = name;
  started_ = std::chrono::steady_clock::now();
  if (mode_ == ProgressMode::Slicer) {
    std::fprintf(out_, "<filter-start><filter-name>%s</filter-name><filter-comment>%s</filter-comment></filter-start>\n",
                 xmlEscaped(name).c_str(), xmlEscaped(comment).c_str());
    std::fflush(out_);
  } else if (mode_ == ProgressMode::Text) {
    std::fprintf(err_, "%s: %s\n", name.c_str(), comment.c_str());
  }
}

CallbackReturn ProgressReporter::report(const ProgressEvent& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  reported_ = std::clamp(std::max(reported_, e.fraction), 0.0, 1.0);
  const double stage = e.total > 0 ? double(e.completed) / e.total : 1.0;
  if (mode_ == ProgressMode::Slicer) {
    std::fprintf(out_, "<filter-progress>%.4f</filter-progress>\n", reported_);
    std::fflush(out_);
    std::fprintf(out_, "<filter-stage-progress>%.4f</filter-stage-progress>\n", stage);
    std::fflush(out_);
  } else if (mode_ == ProgressMode::Text) {
    if (e.motion) {
      const auto& p = e.motion->parameters;
      std::fprintf(err_, "[%5.1f%%] %-7s frame %4d (%d/%d): %8.4f %8.4f %8.4f mm %8.5f %8.5f %8.5f rad\n",
                   100 * reported_, stageName(e.stage), e.frame, e.completed, e.total, p[0], p[1], p[2], p[3], p[4],
                   p[5]);
    } else if (e.completed == e.total) {
      std::fprintf(err_, "[%5.1f%%] %s done (%d frames)\n", 100 * reported_, stageName(e.stage), e.total);
    }
  }
  return CallbackReturn::Continue;
}

void ProgressReporter::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  reported_ = 1.0;
  if (mode_ == ProgressMode::Slicer) {
    std::fprintf(out_, "<filter-progress>1</filter-progress>\n");
    std::fflush(out_);
    std::fprintf(out_, "<filter-end><filter-name>%s</filter-name><filter-time>%.3f</filter-time></filter-end>\n",
                 xmlEscaped(name_).c_str(), secs);
    std::fflush(out_);
  } else if (mode_ == ProgressMode::Text) {
    std::fprintf(err_, "[100.0%%] done in %.2f s\n", secs);
  }
}

}  // namespace mc::cli
