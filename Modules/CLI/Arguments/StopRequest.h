#pragma once
// Ctrl-C or SIGTERM (Slicer's Cancel, a script's kill) asks a long-running CLI to stop at its next
// safe point, with what is finished kept; a second one ends the process at once (the default action).
namespace mc::cli {

// Installs the handlers for SIGINT and SIGTERM.
void installStopRequestOnSignals();
// True once either arrived.
bool stopRequested();

}  // namespace mc::cli
