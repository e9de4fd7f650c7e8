"""Follow mode (real-time): the motion of each volume while the scan is still running.

A scanner's real-time export writes one volume per file (.nii, .nii.gz) into a folder; each is
aligned to the reference as it arrives, and its rp and confounds rows are appended and flushed at
once. The same engine and parameters as the MotionCorrectionFollowCLI command line tool (a keyword
is its long flag with '_' for '-').

    import motioncorrection as mc
    for v in mc.follow_volumes("/export/run1", tr=2.0, params="rp_run1.txt"):
        print(v.frame, v.fd, v.summary["usable_minutes"])     # one per volume, as it arrives

    result = mc.follow("/export/run1", on_volume=show, frames=300)   # or with a callback
"""

import os
import queue
import threading

import numpy as np

from . import _motioncorrection as _core
from ._text import as_text

__all__ = ["follow", "follow_volumes", "FollowVolume", "FollowResult", "follow_defaults"]

_NAMES = {n.replace("-", "_"): n for n in _core.follow_parameter_names() if n != "folder"}


def follow_defaults():
    """Every follow parameter's default, as the text the engine parses (the follow CLI's defaults)."""
    return {n.replace("-", "_"): v for n, v in _core.follow_defaults() if n != "folder"}


class FollowVolume:
    """One aligned volume, as it arrived.

    frame        0, 1, ... in order of arrival (skipped files take no number)
    path         the volume's file
    parameters   (6,) x y z (mm) pitch roll yaw (rad) relative to the reference, SPM rp order
    fd           framewise displacement to the previous volume, mm (0 for the first)
    latency      seconds from the file found complete to its rows flushed
    warning      "" or a one-line note on the volume
    summary      dict so far: volumes, under ({level mm: count}), usable, usable_minutes,
                 repetition_time, mean_fd, max_fd
    """

    __slots__ = ("frame", "path", "parameters", "fd", "latency", "warning", "summary")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])
        self.parameters = np.asarray(self.parameters, dtype=np.float64)

    def __repr__(self):
        return f"<FollowVolume {self.frame} {os.path.basename(self.path)}: FD {self.fd:.3f} mm>"


class FollowResult:
    """How a follow run ended: end ('frame count', 'end marker', 'time-out' or 'cancelled'), volumes
    (list of FollowVolume), parameters ((N, 6) array), fd ((N,) array), notices (skipped files,
    out-of-order arrivals), skipped (count) and summary (the last volume's)."""

    __slots__ = ("end", "volumes", "parameters", "fd", "notices", "skipped", "summary")

    def __init__(self, fields):
        self.end = fields["end"]
        self.volumes = [FollowVolume(v) for v in fields["volumes"]]
        self.parameters = np.array([v.parameters for v in self.volumes]).reshape(-1, 6)
        self.fd = np.array([v.fd for v in self.volumes], dtype=np.float64)
        self.notices = list(fields["notices"])
        self.skipped = fields["skipped"]
        self.summary = fields["summary"]

    def __repr__(self):
        return f"<FollowResult: {len(self.volumes)} volumes, {self.skipped} skipped, ended on {self.end}>"


def _text(name, value):
    return as_text(name, value, ("fd_levels", "wrap", "reslice_wrap"))


def _parameters(function, folder, params):
    pairs = [("folder", _text("folder", folder))]
    for key, value in params.items():
        if key not in _NAMES:
            raise TypeError(f"{function}() got an unexpected keyword argument '{key}' "
                            f"(known: {', '.join(sorted(_NAMES))})")
        if value is not None:
            pairs.append((_NAMES[key], _text(key, value)))
    return pairs


def _check_callable(name, f):
    if f is not None and not callable(f):
        raise TypeError(f"{name}: expected a callable, got {type(f).__name__}")


def follow(folder, *, on_volume=None, on_notice=None, **params):
    """Follows folder until the run ends; calls on_volume(FollowVolume) after each volume's rows are
    written (return False to stop: the run ends as 'cancelled') and on_notice(line) for each notice.

    params  reference (image path; default: the first volume), params, confounds (files the rows are
            appended to), realigned_folder, frames (end after N), end_marker ('END'), timeout (s
            without a new volume, 60; 0 waits for ever), tr (s; default: the header), fd_threshold
            (0.5 mm), fd_levels ((0.2, 0.3, 0.5)), quality, sep, fwhm, interp, wrap,
            reslice_interp, reslice_wrap, threads (1), poll (s).

    Returns a FollowResult. Raises ValueError for bad parameters (the engine's message), TypeError
    for an unknown keyword, KeyboardInterrupt on Ctrl-C, and whatever on_volume raised.
    """
    _check_callable("on_volume", on_volume)
    _check_callable("on_notice", on_notice)
    pairs = _parameters("follow", folder, params)
    handler = None if on_volume is None else (lambda fields: on_volume(FollowVolume(fields)))
    return FollowResult(_core.follow(pairs, handler, on_notice, None))


def follow_volumes(folder, *, on_notice=None, **params):
    """A generator of FollowVolume, one per volume as it arrives, until the run ends (parameters as
    follow()). Leaving the loop early (break, an exception, close()) stops following. Errors of the
    run (a bad parameter, an unwritable rp file) are raised from the loop."""
    _check_callable("on_notice", on_notice)
    pairs = _parameters("follow_volumes", folder, params)
    arrived = queue.Queue()
    stop = threading.Event()
    done = object()
    outcome = {}

    def on_volume(fields):
        arrived.put(FollowVolume(fields))
        return not stop.is_set()

    def run():
        try:
            outcome["result"] = _core.follow(pairs, on_volume, on_notice, lambda: not stop.is_set())
        except BaseException as e:  # re-raised in the consumer's thread
            outcome["error"] = e
        finally:
            arrived.put(done)

    worker = threading.Thread(target=run, name="motioncorrection-follow", daemon=True)
    worker.start()
    try:
        while True:
            item = arrived.get()
            if item is done:
                break
            yield item
    finally:
        stop.set()
        # The follow thread stops at its next look at the folder (a few ms) once stop is set, or
        # after the volume it is aligning. Waiting for it keeps the rp file whole.
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
