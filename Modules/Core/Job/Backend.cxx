#include "Backend.h"

#include <stdexcept>

namespace mc {

const char* backendName(Backend backend) {
  switch (backend) {
    case Backend::Serial: return "serial";
    case Backend::Threads: return "threads";
    case Backend::Mpi: return "mpi";
  }
  return "threads";
}

Backend parseBackend(const std::string& text) {
  for (Backend b : {Backend::Serial, Backend::Threads, Backend::Mpi})
    if (text == backendName(b)) return b;
  throw std::invalid_argument("--backend: expected serial, threads or mpi, got '" + text + "'");
}

}  // namespace mc
