// The protocol's JSON goes through nlohmann-json: ordered objects keep the documented field order
// on the wire, and doubles are written in the shortest form that reads back to the same double
// (what the former "%.17g" guaranteed, in fewer digits), so parameters cross ranks exactly.
#include "ProgressJson.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

namespace mc {
namespace {

using Json = nlohmann::ordered_json;

// JSON has no NaN or infinity: they travel as null and come back as NaN.
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json parametersJson(const RigidParameters& p) {
  Json a = Json::array();
  for (int i = 0; i < 6; ++i) a.push_back(number(p[i]));
  return a;
}

bool stageFromName(const std::string& name, Stage& out) {
  for (Stage s : {Stage::Pass1, Stage::Mean, Stage::Pass2, Stage::Reslice})
    if (name == stageName(s)) {
      out = s;
      return true;
    }
  return false;
}

double numberOr(const Json& o, const char* key, double fallback) {
  const auto v = o.find(key);
  if (v == o.end()) return fallback;
  if (v->is_null()) return std::numeric_limits<double>::quiet_NaN();
  return v->is_number() ? v->get<double>() : fallback;
}

int integerOr(const Json& o, const char* key, int fallback) {
  const double v = numberOr(o, key, fallback);
  // Out of int's range (a corrupt or hostile line) the conversion would be undefined: the fallback.
  const bool fits = std::isfinite(v) && v >= double(std::numeric_limits<int>::min()) &&
                    v <= double(std::numeric_limits<int>::max());
  return fits ? int(v) : fallback;
}

std::string stringOr(const Json& o, const char* key) {
  const auto v = o.find(key);
  return v != o.end() && v->is_string() ? v->get<std::string>() : std::string();
}

bool readParameters(const Json& o, RigidParameters& p) {
  const auto v = o.find("parameters");
  if (v == o.end() || !v->is_array() || v->size() != 6) return false;
  for (int i = 0; i < 6; ++i) {
    const Json& x = (*v)[std::size_t(i)];
    if (!x.is_number() && !x.is_null()) return false;
    p[i] = x.is_null() ? std::numeric_limits<double>::quiet_NaN() : x.get<double>();
  }
  return true;
}

}  // namespace

ProgressMessage ProgressMessage::started(int frames, int ranks) {
  ProgressMessage m;
  m.kind = Kind::Started;
  m.frames = frames;
  m.ranks = ranks;
  return m;
}

ProgressMessage ProgressMessage::frameDone(Stage stage, int frame, int rank, const FrameMotion* shown) {
  ProgressMessage m;
  m.kind = Kind::Frame;
  m.stage = stage;
  m.frame = frame;
  m.rank = rank;
  if (shown) {
    m.hasParameters = true;
    m.parameters = shown->parameters;
  }
  return m;
}

ProgressMessage ProgressMessage::result(int frame, const RigidParameters& p, double fd) {
  ProgressMessage m;
  m.kind = Kind::Result;
  m.frame = frame;
  m.hasParameters = true;
  m.parameters = p;
  m.framewiseDisplacement = fd;
  return m;
}

ProgressMessage ProgressMessage::warning(const std::string& text) {
  ProgressMessage m;
  m.kind = Kind::Warning;
  m.text = text;
  return m;
}

ProgressMessage ProgressMessage::error(const std::string& text) {
  ProgressMessage m;
  m.kind = Kind::Error;
  m.text = text;
  return m;
}

const char* kindName(ProgressMessage::Kind kind) {
  switch (kind) {
    case ProgressMessage::Kind::Started: return "started";
    case ProgressMessage::Kind::Frame: return "frame";
    case ProgressMessage::Kind::Warning: return "warning";
    case ProgressMessage::Kind::Result: return "result";
    case ProgressMessage::Kind::Finished: return "finished";
    case ProgressMessage::Kind::Error: return "error";
  }
  return "?";
}

std::string formatProgressMessage(const ProgressMessage& m) {
  using K = ProgressMessage::Kind;
  Json out;
  out["event"] = kindName(m.kind);
  switch (m.kind) {
    case K::Started:
      out["frames"] = m.frames;
      out["ranks"] = m.ranks;
      break;
    case K::Frame:
      out["stage"] = stageName(m.stage);
      out["frame"] = m.frame;
      out["rank"] = m.rank;
      if (m.hasParameters) out["parameters"] = parametersJson(m.parameters);
      break;
    case K::Result:
      out["frame"] = m.frame;
      out["parameters"] = parametersJson(m.parameters);
      out["fd"] = number(m.framewiseDisplacement);
      break;
    case K::Warning:
    case K::Error:
      out["message"] = m.text;
      break;
    case K::Finished: {
      out["written"] = m.written;
      Json timings = Json::object();
      for (const auto& [stage, seconds] : m.timings) timings[stage] = number(seconds);
      out["timings"] = std::move(timings);
      break;
    }
  }
  // A message or path that is not valid UTF-8 (JSON must be) gets U+FFFD for its bad bytes rather
  // than throwing in the middle of a run.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<ProgressMessage> parseProgressMessage(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || line[first] != '{') return std::nullopt;  // other output on the stream
  const Json doc = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;  // also the "discarded" value of a parse error
  const std::string event = stringOr(doc, "event");
  ProgressMessage m;
  using K = ProgressMessage::Kind;
  bool known = false;
  for (K k : {K::Started, K::Frame, K::Warning, K::Result, K::Finished, K::Error})
    if (event == kindName(k)) {
      m.kind = k;
      known = true;
    }
  if (!known) return std::nullopt;
  switch (m.kind) {
    case K::Started:
      m.frames = integerOr(doc, "frames", 0);
      m.ranks = integerOr(doc, "ranks", 0);
      break;
    case K::Frame:
      if (!stageFromName(stringOr(doc, "stage"), m.stage)) return std::nullopt;
      m.frame = integerOr(doc, "frame", -1);
      m.rank = integerOr(doc, "rank", 0);
      m.hasParameters = readParameters(doc, m.parameters);
      if (m.frame < 0) return std::nullopt;
      break;
    case K::Result:
      m.frame = integerOr(doc, "frame", -1);
      m.hasParameters = readParameters(doc, m.parameters);
      m.framewiseDisplacement = numberOr(doc, "fd", 0);
      if (m.frame < 0 || !m.hasParameters) return std::nullopt;
      break;
    case K::Warning:
    case K::Error:
      m.text = stringOr(doc, "message");
      break;
    case K::Finished:
      if (const auto w = doc.find("written"); w != doc.end() && w->is_array())
        for (const Json& p : *w)
          if (p.is_string()) m.written.push_back(p.get<std::string>());
      if (const auto t = doc.find("timings"); t != doc.end() && t->is_object())
        for (const auto& [stage, seconds] : t->items())
          if (seconds.is_number()) m.timings.emplace_back(stage, seconds.get<double>());
      break;
  }
  return m;
}

ProgressMerger::ProgressMerger(int frames, const ProgressPlan& plan) : frames_(frames), plan_(plan) {}

double ProgressMerger::fraction() const {
  double f = 0;
  for (Stage s : {Stage::Pass1, Stage::Mean, Stage::Pass2, Stage::Reslice})
    f += plan_.fraction(s, done_[int(s)], frames_) - plan_.fraction(s, 0, frames_);
  return std::min(1.0, std::max(0.0, f));
}

ProgressEvent ProgressMerger::add(const ProgressMessage& m, FrameMotion& shown) {
  int& done = done_[int(m.stage)];
  done = std::min(frames_, done + 1);
  ProgressEvent e;
  e.stage = m.stage;
  e.frame = m.frame;
  e.completed = done;
  e.total = frames_;
  e.fraction = fraction();
  if (m.hasParameters) {
    shown = FrameMotion{};
    shown.frame = m.frame;
    shown.parameters = m.parameters;
    shown.transform = spmMatrix(m.parameters);
    e.motion = &shown;
  }
  return e;
}

}  // namespace mc
