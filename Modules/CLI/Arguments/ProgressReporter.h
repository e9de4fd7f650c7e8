#pragma once
// Progress of one run, either as Slicer's CLI protocol on stdout (<filter-start>, <filter-progress>,
// <filter-stage-progress>, <filter-end>; flushed after every tag) or as readable lines on stderr.
// Never both: Slicer shows stderr as error output.
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>

#include "Progress.h"

namespace mc::cli {

enum class ProgressMode { Slicer, Text, None };

// auto: MC_PROGRESS (slicer|text|none) if set, else text on a terminal and the Slicer protocol
// otherwise (Slicer reads stdout through a pipe).
ProgressMode resolveProgressMode(const std::string& setting, const char* environment, bool stdoutIsTerminal);

class ProgressReporter {
public:
  ProgressReporter(ProgressMode mode, std::FILE* out = stdout, std::FILE* err = stderr);

  void start(const std::string& name, const std::string& comment);
  // The engine's callback: called after every frame of every pass and every resliced frame, from
  // worker threads. Reports a fraction never below one already reported.
  CallbackReturn report(const ProgressEvent& e);
  // Overall fraction 1 and <filter-end> with the time since start().
  void finish();
  ProgressMode mode() const { return mode_; }

private:
  ProgressMode mode_;
  std::FILE* out_;
  std::FILE* err_;
  std::mutex mutex_;
  std::string name_;
  double reported_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// A run's failure as the CLIs report it: "<program>: error: <what>" on stderr; returns the exit
// code, 2 for bad input (std::invalid_argument), else 1.
int reportFailure(const char* program, const std::exception& e);

// Escapes &, < and > for text inside a protocol tag.
std::string xmlEscaped(const std::string& s);

}  // namespace mc::cli
