#pragma once
// The follow-mode parameters by name, text in and out: what the follow CLI's XML parameters and
// Python's follow() keywords set. Names are the CLI's long flags without "--" ('-' or '_'). The
// estimation and reslicing ones (quality, sep, fwhm, interp, wrap, reslice-interp, reslice-wrap)
// and threads are the parameter table's entries (ParameterTable.h), checked the same way.
#include <string>
#include <utility>
#include <vector>

#include "FollowSession.h"

namespace mc {

// Sets one parameter. Throws std::invalid_argument("--name: problem") for an unknown name or a bad
// value (a number that is not one, fd-levels that are not numbers). Ranges are checked by
// FollowOptions::validate.
void setFollowParameter(FollowOptions& options, const std::string& name, const std::string& value);

// Every parameter of options as (name, text), in a fixed order; setFollowParameter inverts it.
std::vector<std::pair<std::string, std::string>> followParameters(const FollowOptions& options);

}  // namespace mc
