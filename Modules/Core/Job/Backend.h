#pragma once
// Where a run's frames are computed. Declared beside the job (not with the launcher) because the
// parameter table, which lives here, has an entry for it; mc::run (Run.h) dispatches on it.
#include <string>

namespace mc {

enum class Backend { Serial, Threads, Mpi };

// "serial", "threads", "mpi".
const char* backendName(Backend backend);
// The one place the names are read. Throws std::invalid_argument("--backend: expected serial,
// threads or mpi, got 'x'").
Backend parseBackend(const std::string& text);

}  // namespace mc
