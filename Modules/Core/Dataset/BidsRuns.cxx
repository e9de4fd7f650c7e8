#include "BidsRuns.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace mc {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "sub-01" -> "01"; BIDS apps accept either form.
std::string withoutKey(const std::string& label, const std::string& key) {
  const std::string prefix = key + "-";
  return label.rfind(prefix, 0) == 0 ? label.substr(prefix.size()) : label;
}

// The label of `key` among the name's key-value entities, "" when absent.
std::string entity(const std::string& stem, const std::string& key) {
  std::size_t start = 0;
  while (start <= stem.size()) {
    const std::size_t end = std::min(stem.find('_', start), stem.size());
    const std::string part = stem.substr(start, end - start);
    if (part.rfind(key + "-", 0) == 0) return part.substr(key.size() + 1);
    start = end + 1;
  }
  return {};
}

// Folders a BIDS app does not look into for raw data.
bool skippedFolder(const std::string& name) {
  return name.empty() || name[0] == '.' || name == "derivatives" || name == "sourcedata" || name == "code";
}

std::string joined(const std::set<std::string>& labels) {
  std::string s;
  for (const auto& l : labels) s += (s.empty() ? "" : ", ") + l;
  return s;
}

}  // namespace

BidsRun bidsRunAt(const std::string& root, const std::string& relativePath) {
  const fs::path rel(relativePath);
  const std::string name = rel.filename().string();
  BidsRun r;
  r.extension = endsWith(name, ".nii.gz") ? ".nii.gz" : endsWith(name, ".nii") ? ".nii" : "";
  const std::string bold = "_bold" + r.extension;
  if (r.extension.empty() || !endsWith(name, bold) || name.rfind("sub-", 0) != 0)
    throw std::invalid_argument(relativePath + ": not a BIDS bold file name (sub-<label>_..._bold.nii[.gz])");
  r.input = (fs::path(root) / rel).string();
  r.relativePath = rel.generic_string();
  r.stem = name.substr(0, name.size() - bold.size());
  r.subject = entity(r.stem, "sub");
  r.session = entity(r.stem, "ses");
  r.task = entity(r.stem, "task");
  r.run = entity(r.stem, "run");
  std::error_code ec;
  const auto size = fs::file_size(r.input, ec);
  r.bytes = ec ? 0 : size;
  return r;
}

std::vector<BidsRun> findBidsRuns(const std::string& root, const BidsSelection& selection) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::invalid_argument(root + ": not a folder (the BIDS dataset)");
  std::vector<BidsRun> all;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (skippedFolder(name) || (it.depth() == 0 && name.rfind("sub-", 0) != 0)) it.disable_recursion_pending();
      continue;
    }
    if (!(endsWith(name, "_bold.nii.gz") || endsWith(name, "_bold.nii")) || name.rfind("sub-", 0) != 0) continue;
    // Raw BOLD runs live in a func/ folder; anything else (an anat/ or a stray copy) is not a run.
    if (it->path().parent_path().filename() != "func") continue;
    all.push_back(bidsRunAt(root, fs::relative(it->path(), root).generic_string()));
  }
  if (ec) throw std::invalid_argument(root + ": cannot read the folder: " + ec.message());

  std::set<std::string> subjects, tasks;
  for (const auto& r : all) {
    subjects.insert(r.subject);
    tasks.insert(r.task);
  }
  std::set<std::string> wantedSubjects, wantedTasks;
  for (const auto& p : selection.participants) wantedSubjects.insert(withoutKey(p, "sub"));
  for (const auto& t : selection.tasks) wantedTasks.insert(withoutKey(t, "task"));
  for (const auto& s : wantedSubjects)
    if (!subjects.count(s))
      throw std::invalid_argument("--participant-label " + s + ": no such participant in " + root +
                                  (subjects.empty() ? "" : " (it has " + joined(subjects) + ")"));
  for (const auto& t : wantedTasks)
    if (!tasks.count(t))
      throw std::invalid_argument("--task " + t + ": no such task in " + root +
                                  (tasks.empty() ? "" : " (it has " + joined(tasks) + ")"));

  std::vector<BidsRun> runs;
  for (auto& r : all)
    if ((wantedSubjects.empty() || wantedSubjects.count(r.subject)) && (wantedTasks.empty() || wantedTasks.count(r.task)))
      runs.push_back(std::move(r));
  if (runs.empty()) throw std::invalid_argument(root + ": no BOLD run found (sub-*/[ses-*/]func/*_bold.nii[.gz])");
  std::sort(runs.begin(), runs.end(), [](const BidsRun& a, const BidsRun& b) { return a.relativePath < b.relativePath; });
  return runs;
}

void sortLargestFirst(std::vector<BidsRun>& runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const BidsRun& a, const BidsRun& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.relativePath < b.relativePath;
  });
}

}  // namespace mc
