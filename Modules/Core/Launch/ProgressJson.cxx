#include "ProgressJson.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace mc {
namespace {

// ---- writing ----

void appendString(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  out += '"';
}

void appendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {  // JSON has no NaN/Inf
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

void appendParameters(std::string& out, const RigidParameters& p) {
  out += "[";
  for (int i = 0; i < 6; ++i) {
    if (i) out += ",";
    appendNumber(out, p[i]);
  }
  out += "]";
}

// ---- reading: just enough JSON for these messages (objects, arrays, strings, numbers, literals) ----

struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  const Json* get(const std::string& key) const {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &it->second;
  }
};

class Parser {
public:
  explicit Parser(const std::string& s) : s_(s) {}

  bool parseDocument(Json& out) {
    if (!value(out, 0)) return false;
    space();
    return i_ == s_.size();
  }

private:
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (s_.compare(i_, n, word) != 0) return false;
    i_ += n;
    return true;
  }
  bool value(Json& out, int depth) {
    if (depth > 16) return false;
    space();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out.type = Json::Type::String;
      return string(out.string);
    }
    if (literal("true")) {
      out.type = Json::Type::Bool;
      out.boolean = true;
      return true;
    }
    if (literal("false")) {
      out.type = Json::Type::Bool;
      return true;
    }
    if (literal("null")) {
      out.type = Json::Type::Null;
      out.number = std::nan("");
      return true;
    }
    return number(out);
  }
  bool number(Json& out) {
    const char* begin = s_.c_str() + i_;
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin) return false;
    i_ += std::size_t(end - begin);
    out.type = Json::Type::Number;
    out.number = v;
    return true;
  }
  static void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  bool string(std::string& out) {
    ++i_;  // opening quote
    out.clear();
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          char* end = nullptr;
          const std::string hex = s_.substr(i_, 4);
          const unsigned cp = unsigned(std::strtoul(hex.c_str(), &end, 16));
          if (end != hex.c_str() + 4) return false;
          i_ += 4;
          appendUtf8(out, cp);
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool array(Json& out, int depth) {
    ++i_;
    out.type = Json::Type::Array;
    space();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      Json item;
      if (!value(item, depth + 1)) return false;
      out.array.push_back(std::move(item));
      space();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return true;
      }
      return false;
    }
  }
  bool object(Json& out, int depth) {
    ++i_;
    out.type = Json::Type::Object;
    space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    for (;;) {
      space();
      std::string key;
      if (i_ >= s_.size() || s_[i_] != '"' || !string(key)) return false;
      space();
      if (i_ >= s_.size() || s_[i_] != ':') return false;
      ++i_;
      Json item;
      if (!value(item, depth + 1)) return false;
      out.object[key] = std::move(item);
      space();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

bool stageFromName(const std::string& name, Stage& out) {
  for (Stage s : {Stage::Pass1, Stage::Mean, Stage::Pass2, Stage::Reslice})
    if (name == stageName(s)) {
      out = s;
      return true;
    }
  return false;
}

double numberOr(const Json& o, const char* key, double fallback) {
  const Json* v = o.get(key);
  return v && (v->type == Json::Type::Number || v->type == Json::Type::Null) ? v->number : fallback;
}

std::string stringOr(const Json& o, const char* key) {
  const Json* v = o.get(key);
  return v && v->type == Json::Type::String ? v->string : std::string();
}

bool readParameters(const Json& o, RigidParameters& p) {
  const Json* v = o.get("parameters");
  if (!v || v->type != Json::Type::Array || v->array.size() != 6) return false;
  for (int i = 0; i < 6; ++i) {
    const Json& x = v->array[i];
    if (x.type != Json::Type::Number && x.type != Json::Type::Null) return false;
    p[i] = x.number;
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
  std::string out = "{\"event\":";
  appendString(out, kindName(m.kind));
  switch (m.kind) {
    case K::Started:
      out += ",\"frames\":" + std::to_string(m.frames) + ",\"ranks\":" + std::to_string(m.ranks);
      break;
    case K::Frame:
      out += ",\"stage\":";
      appendString(out, stageName(m.stage));
      out += ",\"frame\":" + std::to_string(m.frame) + ",\"rank\":" + std::to_string(m.rank);
      if (m.hasParameters) {
        out += ",\"parameters\":";
        appendParameters(out, m.parameters);
      }
      break;
    case K::Result:
      out += ",\"frame\":" + std::to_string(m.frame) + ",\"parameters\":";
      appendParameters(out, m.parameters);
      out += ",\"fd\":";
      appendNumber(out, m.framewiseDisplacement);
      break;
    case K::Warning:
    case K::Error:
      out += ",\"message\":";
      appendString(out, m.text);
      break;
    case K::Finished:
      out += ",\"written\":[";
      for (std::size_t i = 0; i < m.written.size(); ++i) {
        if (i) out += ",";
        appendString(out, m.written[i]);
      }
      out += "],\"timings\":{";
      for (std::size_t i = 0; i < m.timings.size(); ++i) {
        if (i) out += ",";
        appendString(out, m.timings[i].first);
        out += ":";
        appendNumber(out, m.timings[i].second);
      }
      out += "}";
      break;
  }
  out += "}";
  return out;
}

std::optional<ProgressMessage> parseProgressMessage(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || line[first] != '{') return std::nullopt;
  Json doc;
  if (!Parser(line).parseDocument(doc) || doc.type != Json::Type::Object) return std::nullopt;
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
      m.frames = int(numberOr(doc, "frames", 0));
      m.ranks = int(numberOr(doc, "ranks", 0));
      break;
    case K::Frame:
      if (!stageFromName(stringOr(doc, "stage"), m.stage)) return std::nullopt;
      m.frame = int(numberOr(doc, "frame", -1));
      m.rank = int(numberOr(doc, "rank", 0));
      m.hasParameters = readParameters(doc, m.parameters);
      if (m.frame < 0) return std::nullopt;
      break;
    case K::Result:
      m.frame = int(numberOr(doc, "frame", -1));
      m.hasParameters = readParameters(doc, m.parameters);
      m.framewiseDisplacement = numberOr(doc, "fd", 0);
      if (m.frame < 0 || !m.hasParameters) return std::nullopt;
      break;
    case K::Warning:
    case K::Error:
      m.text = stringOr(doc, "message");
      break;
    case K::Finished:
      if (const Json* w = doc.get("written"); w && w->type == Json::Type::Array)
        for (const Json& p : w->array)
          if (p.type == Json::Type::String) m.written.push_back(p.string);
      if (const Json* t = doc.get("timings"); t && t->type == Json::Type::Object)
        for (const auto& [k, v] : t->object)
          if (v.type == Json::Type::Number) m.timings.emplace_back(k, v.number);
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
