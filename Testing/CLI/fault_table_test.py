"""The input and output rows of Docs/CLI.md's "Bad input and faults" table, as documented: for each,
the exact one-line message (paths as given), the exit code, and nothing left in the output folder
(and, with "mpi" as third argument, the same through --backend mpi with no job folder left in
TMPDIR). Write failures, signals and concurrent writers have their own tests (write_failure,
kill_safety, concurrent_writers)."""
import gzip
import os
import re
import struct
import subprocess
import sys

from cli_test_support import check, generate, workdir

mc, gen = sys.argv[1], sys.argv[2]
backend = sys.argv[3] if len(sys.argv) > 3 else "threads"
backend_args = ["--backend", "mpi", "--mpi-ranks", "2", "--threads", "1"] if backend == "mpi" else []


def header_edit(raw, offset, data):
    b = bytearray(raw)
    b[offset:offset + len(data)] = data
    return bytes(b)


def check_rows(rows, tmp):
    for label, args, code, message in rows:
        p = subprocess.run([mc, *args, *backend_args, "--progress", "none"], capture_output=True, text=True,
                           env=dict(os.environ, TMPDIR=tmp), timeout=120)
        lines = p.stderr.splitlines()
        check(p.returncode == code, f"{label}: exit {p.returncode}, expected {code}; stderr {p.stderr!r}")
        check(len(lines) == 1 and re.fullmatch("MotionCorrectionCLI: error: " + message, lines[0]),
              f"{label}: stderr {lines} is not the documented message {message!r}")
        left = sorted(os.listdir("out"))
        check(left == ["folder.nii.gz", "folder.txt"], f"{label}: left in the output folder: {left}")
        check(os.listdir(tmp) == [], f"{label}: left in TMPDIR: {os.listdir(tmp)}")
        print(f"ok: {label}: exit {code}, '{lines[0]}'")


with workdir() as d:
    os.chdir(d)  # messages carry the paths as given: relative ones here
    tmp = os.path.join(d, "tmp")
    os.mkdir(tmp)
    generate(gen, d)  # run.nii.gz, 32x32x20x10 float32
    raw = gzip.decompress(open("run.nii.gz", "rb").read())
    packed = open("run.nii.gz", "rb").read()
    files = {
        "bad_sizeof.nii": header_edit(raw, 0, struct.pack("<i", 123)),
        "bad_magic.nii": header_edit(raw, 344, b"xx+\0"),
        "huge_dims.nii": header_edit(raw, 40, struct.pack("<8h", 4, 32767, 32767, 32767, 32767, 1, 1, 1)),
        "short.nii": raw[:len(raw) // 2],
        "cut.nii.gz": packed[:len(packed) // 2],
    }
    files["huge_dims.nii.gz"] = gzip.compress(files["huge_dims.nii"])
    for name, data in files.items():
        with open(name, "wb") as f:
            f.write(data)
    os.mkdir("out")
    os.mkdir("out/folder.nii.gz")
    os.mkdir("out/folder.txt")

    out = ["--output", "out/r.nii.gz", "--params", "out/rp.txt"]
    rows = [  # (input or event, arguments, exit code, message after "MotionCorrectionCLI: error: ", as a regex)
        ("input missing", ["--input", "missing.nii.gz", *out], 1, re.escape("missing.nii.gz: no such file")),
        ("input is a folder", ["--input", "out", "--params", "out/rp.txt"], 1,
         re.escape("out: is a folder, not an image file")),
        ("wrong sizeof_hdr", ["--input", "bad_sizeof.nii", *out], 1,
         re.escape("bad_sizeof.nii: not a readable NIfTI file: bad header: sizeof_hdr is 123, expected 348 or 540")),
        ("wrong magic", ["--input", "bad_magic.nii", *out], 1,
         re.escape("bad_magic.nii: not a readable NIfTI file: bad header: magic is 'xx+', expected 'n+1'")),
        ("oversized dims .nii", ["--input", "huge_dims.nii", *out], 1,
         re.escape("huge_dims.nii: truncated file: the header claims 32767x32767x32767x32767 float32 voxels "
                   "(4.61 EB) from byte 352 but the file holds ") + r"\d+ KB"),
        ("oversized dims .nii.gz", ["--input", "huge_dims.nii.gz", *out], 1,
         re.escape("huge_dims.nii.gz: truncated or bad file: the header claims 32767x32767x32767x32767 float32 "
                   "voxels (4.61 EB) but the file holds ") + r"\d+ KB of gzip"),
        ("cut .nii", ["--input", "short.nii", *out], 1,
         re.escape("short.nii: truncated file: the header claims 32x32x20x10 float32 voxels (819 KB) from byte 352 "
                   "but the file holds 410 KB")),
        ("cut .nii.gz", ["--input", "cut.nii.gz", *out], 1,
         re.escape("cut.nii.gz: truncated gzip stream (member 2 at byte ") + r"\d+ needs \d+ bytes, the file has \d+ left\)"),
        ("output is the input", ["--input", "run.nii.gz", "--output", "run.nii.gz", "--params", "out/rp.txt"], 2,
         re.escape("run.nii.gz: output would overwrite the input")),
        ("two outputs the same", ["--input", "run.nii.gz", "--output", "out/r.nii.gz", "--mean", "out/r.nii.gz"], 2,
         re.escape("out/r.nii.gz: the same path is given for two outputs")),
        ("image output is a folder", ["--input", "run.nii.gz", "--output", "out/folder.nii.gz", "--params", "out/rp.txt"],
         2, re.escape("out/folder.nii.gz: is a folder; an output must be a file path")),
        ("text output is a folder", ["--input", "run.nii.gz", "--params", "out/folder.txt"], 2,
         re.escape("out/folder.txt: is a folder; an output must be a file path")),
        ("image output without an image extension", ["--input", "run.nii.gz", "--output", "out/r.txt"], 2,
         re.escape("out/r.txt: unsupported output type (use .nii, .nii.gz, .nrrd or .nhdr)")),
        ("output folder missing", ["--input", "run.nii.gz", "--output", "nofolder/r.nii.gz"], 2,
         re.escape("nofolder/r.nii.gz: folder " + os.path.join(d, "nofolder") + " does not exist")),
        ("no output", ["--input", "run.nii.gz"], 2,
         re.escape("--output: no output requested (give --output, --mean, --params, --transforms or --confounds)")),
        ("unknown flag", ["--input", "run.nii.gz", "--bogus", "1", *out], 2,
         re.escape("--bogus: unknown parameter (see --help)")),
        ("not a number", ["--input", "run.nii.gz", "--fwhm", "abc", *out], 2,
         re.escape("--fwhm: expected a number, got 'abc'")),
        ("out of range", ["--input", "run.nii.gz", "--fwhm", "-2", *out], 2, re.escape("--fwhm: must be >= 0 mm, got -2")),
    ]
    # A folder that is not writable: root writes into a mode-555 folder, so a read-only tmpfs when
    # this process may mount one.
    readonly = os.path.join(d, "readonly")
    os.mkdir(readonly)
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readonly],
                                                   capture_output=True).returncode == 0
    if os.geteuid() != 0:
        os.chmod(readonly, 0o555)
    if mounted or os.geteuid() != 0:
        rows.append(("output folder not writable", ["--input", "run.nii.gz", "--params", "readonly/rp.txt"], 2,
                     re.escape("readonly/rp.txt: folder " + readonly + " is not writable")))
    else:
        print("skipped: output folder not writable (cannot mount a read-only tmpfs here)")
    try:
        check_rows(rows, tmp)
    finally:
        if mounted:
            subprocess.run(["umount", readonly])
    os.chdir("/")

