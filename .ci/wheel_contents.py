"""python wheel_contents.py (wheel|sdist) ARCHIVE SOURCE_ROOT

Check what a dualdiff wheel or sdist holds against the source tree it was made
from. Prints what it checked; exits 1 with the list of problems otherwise.
"""
import pathlib
import subprocess
import sys
import tarfile
import zipfile

PACKAGE = "dualdiff"


def wheel_problems(names, root):
    problems = []
    names = set(names)
    ext = [n for n in names if n.startswith(PACKAGE + "/") and n.endswith((".so", ".pyd"))]
    if not ext:
        problems.append("no compiled extension module")
    for n in ext:  # every compiled module has a stub beside it
        stub = n.rsplit("/", 1)[0] + "/" + n.rsplit("/", 1)[1].split(".")[0] + ".pyi"
        if stub not in names:
            problems.append(f"{n} has no stub {stub}")
    src = root / PACKAGE
    wanted = [p for p in src.rglob("*") if p.is_file() and p.suffix in (".py", ".pyi", ".pxd", ".h")]
    wanted += [src / "py.typed"]
    for p in wanted:
        if "__pycache__" in p.parts:
            continue
        n = p.relative_to(root).as_posix()
        if n not in names:
            problems.append(f"missing {n}")
    for n in names:
        if n.endswith((".c", ".pyx", ".o", ".cpp")):
            problems.append(f"source or build file shipped: {n}")
        top = n.split("/", 1)[0]
        if top in ("tests", "benchmarks", "csrc", "build"):
            problems.append(f"not part of the package: {n}")
    eps = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    if not eps:
        problems.append("no entry_points.txt")
    return problems, ext


def sdist_problems(names, root):
    problems = []
    prefix = names[0].split("/", 1)[0] + "/"
    rel = {n[len(prefix):] for n in names if n.startswith(prefix)}
    try:  # every tracked file of the parts that build and test the package
        tracked = subprocess.run(["git", "ls-files", PACKAGE, "csrc", "tests", "benchmarks"],
                                 cwd=root, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        tracked = [p.relative_to(root).as_posix() for d in (PACKAGE, "csrc", "tests", "benchmarks")
                   for p in (root / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for n in ["pyproject.toml", "setup.py", "README.md", *tracked]:
        if n not in rel:
            problems.append(f"missing {n}")
    for n in rel:
        if n.endswith((".so", ".pyd", ".o")) or (n.startswith(PACKAGE + "/") and n.endswith(".c")):
            problems.append(f"build product in the sdist: {n}")
    return problems


def main(argv):
    kind, archive, root = argv[1], pathlib.Path(argv[2]), pathlib.Path(argv[3]).resolve()
    if kind == "wheel":
        with zipfile.ZipFile(archive) as z:
            names = z.namelist()
        problems, ext = wheel_problems(names, root)
        print(f"{archive.name}: {len(names)} files; extension modules: {', '.join(sorted(ext))}")
        for n in sorted(names):
            if n.endswith((".h", ".pxd", ".pyi", "py.typed")):
                print(f"  {n}")
    elif kind == "sdist":
        with tarfile.open(archive) as t:
            names = t.getnames()
        problems = sdist_problems(names, root)
        print(f"{archive.name}: {len(names)} entries")
    else:
        raise SystemExit(__doc__)
    if problems:
        print(f"{archive.name}: {len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"{archive.name}: contents OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
