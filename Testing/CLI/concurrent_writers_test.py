"""Two runs started together that write the same output paths must leave, for each path, one
complete file byte-identical to what one run alone writes (never a mix of the two), both must
succeed, and no temporary file may be left. Each run stages its own temporaries (named by its
process id) and renames them into place; a rename replaces the target whole."""
import gzip
import os
import subprocess
import sys

from cli_test_support import check, generate, workdir

mc, gen = sys.argv[1], sys.argv[2]
OUTPUTS = {"output": "r.nii.gz", "mean": "mean.nii", "params": "rp.txt", "confounds": "confounds.tsv",
           "transforms": "transforms.txt"}
ROUNDS = 3


def command(run, folder):
    args = [mc, "--input", run, "--threads", "2", "--progress", "none"]
    for flag, name in OUTPUTS.items():
        args += ["--" + flag, os.path.join(folder, name)]
    return args


def contents(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = f.read()
    return out


with workdir() as d:
    run, _ = generate(gen, d, frames=20)
    alone = os.path.join(d, "alone")
    os.mkdir(alone)
    p = subprocess.run(command(run, alone), capture_output=True, text=True)
    check(p.returncode == 0, f"the run alone failed: {p.stderr}")
    expected = contents(alone)
    check(sorted(expected) == sorted(OUTPUTS.values()), f"the run alone wrote {sorted(expected)}")

    shared = os.path.join(d, "shared")
    os.mkdir(shared)
    for r in range(ROUNDS):
        procs = [subprocess.Popen(command(run, shared), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        for i, q in enumerate(procs):
            _, err = q.communicate(timeout=240)
            check(q.returncode == 0, f"round {r}: run {i} exit {q.returncode}: {err}")
        got = contents(shared)
        check(sorted(got) == sorted(expected), f"round {r}: files in the output folder: {sorted(got)}")
        for name, data in expected.items():
            check(got[name] == data, f"round {r}: {name} differs from the file one run alone writes "
                                     f"({len(got[name])} vs {len(data)} bytes)")
        # Readable: the whole gzip stream decompresses to a NIfTI-1 header and the voxels of 32x32x20x20 float32.
        raw = gzip.decompress(got["r.nii.gz"])
        check(int.from_bytes(raw[:4], "little") == 348 and len(raw) == 352 + 32 * 32 * 20 * 20 * 4,
              f"round {r}: r.nii.gz does not decompress to a whole NIfTI-1 run ({len(raw)} bytes)")
        print(f"ok: round {r}: both runs exit 0, {len(got)} outputs byte-identical to a run alone, no temporary file")
