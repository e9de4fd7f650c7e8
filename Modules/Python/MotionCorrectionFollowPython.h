#pragma once
// Follow mode in the compiled module (_motioncorrection.follow): see MotionCorrectionFollowPython.cxx.
#include <pybind11/pybind11.h>

void addFollowBinding(pybind11::module_& m);
