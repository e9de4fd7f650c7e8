#pragma once
// Text the engine's tasks put into their signals.
#include <string>

#include <QString>

namespace mc {

// A core message as one line for a status bar or a failed() signal (newlines folded, spaces simplified).
inline QString oneLine(const std::string& text) {
  QString s = QString::fromStdString(text);
  s.replace(QLatin1Char('\n'), QLatin1Char(' '));
  return s.simplified();
}

}  // namespace mc
