#pragma once
// Numbers given as text to a named parameter, checked the one way every table-like parameter set
// checks them (the parameter table, the follow-mode parameters).
#include <string>

namespace mc {

// The whole text as a finite number. Throws std::invalid_argument("--name: expected a number, got '...'").
double parameterNumber(const std::string& name, const std::string& text);
// The whole text as a whole number below 1e9 in magnitude. Throws std::invalid_argument("--name: ...").
int parameterInteger(const std::string& name, const std::string& text);

}  // namespace mc
