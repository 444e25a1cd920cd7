#!/usr/bin/env python3
"""./keel tcb: how big the trusted computing base is, and whether its unsafe code says why.

Usage: tcb.py [--no-gate] [--build-dir DIR] [--self-test]

Prints, for each arch image, the framework's lines of code (the TCB) against those of services/
and drivers/ (the safe subset), then every unsafe construct of the framework and whether a
`// SAFETY:` comment covers it, the assembly per arch, the safe-subset gate's corpus result
(ctest's `gate.*` tests in the x86_64 build), and one summary line. Exits 1 when a construct
lacks its SAFETY comment or the gate corpus failed, so ./keel test can use it as a stage.

Counting rules (the header lines of the output repeat them):

* A line of code is a line that is not blank and not only comment. C/C++ comments are `//` and
  `/* */`; in assembly (.S and the .inc files .S files include) also a line whose first word
  starts with `#` and is not a preprocessor directive (`#include`, `#define`, `#if`, ...).
* What goes into an image (cmake/Kernel.cmake): the framework is framework/** except
  framework/host/ (the host-test backend), framework/ksyms/ (the first link pass's empty table),
  the arch folders of the other arches and test code; services/, drivers/ and lib/ (checked
  code the framework itself uses) are counted whole,
  except services/abi/<other arch>/. Counted are C++ (.cc, .h) and assembly (.S, .inc);
  linker scripts, CMake and libfdt (third-party C, fetched at set-up) are not.
* Test code is a file whose name contains `ktest` (ktests.cc, *_ktests.cc, ktests_*.cc, the
  ktest assembly helpers, keel/ktest.h) or a file under a folder named `ktest`
  (framework/ktest/: the runner and the framework's own ktests). Every KTEST(...) of the
  framework is in such a file.
* Unsafe constructs, in the framework's C++ files (.cc and .h, every folder: arch folders,
  ktests and the host backend too): `reinterpret_cast`, `const_cast`, an `asm` statement (`asm`,
  `__asm`, `__asm__`; its `volatile`/`__volatile__` qualifier belongs to it and is not counted
  again) and any other `volatile`. `asm` right after a declarator's name (`register u64 x0
  asm("x0")`, an asm label) binds a register or names a symbol and is not a statement: it is
  not counted (the asm statement that uses the register is). Words inside comments and string
  or character literals do not count, nor do words of `#pragma`, `#include`, `#error` and
  `#warning` lines (`#pragma GCC poison asm volatile` names the words, it uses none). A macro
  that expands to a construct counts once, at its definition.
* A construct on line L is covered by a SAFETY comment (a comment containing `SAFETY:`, or
  `SAFETY (some words):`) when that comment
    1. is on line L itself, or
    2. is in the block of comment-only lines that ends directly above line L (no blank line, no
       code line between), or
    3. is in the block of comment-only lines that ends directly above line S, the first line of
       the statement or declaration containing L, when S is at most MAX_STATEMENT_LINES lines
       above L. S is found by walking up from L while the line above is code that does not end
       a statement (`;`, `{`, `}`, a label's `:`) and is not a preprocessor line (the lines of
       one macro definition, joined by `\\`, count as one statement).
  So a comment covers the statement under it, nothing further: a comment at the top of a file
  or function does not cover what follows its first statement.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHES = ("x86_64", "riscv64", "aarch64")
MAX_STATEMENT_LINES = 4
CXX_SUFFIXES = (".cc", ".h")
ASM_SUFFIXES = (".S", ".inc")
SAFETY = re.compile(r"\bSAFETY(\s*\([^)\n]*\))?:")
PREPROCESSOR = re.compile(
    r"#\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma|line)\b")
NOT_CODE_DIRECTIVE = re.compile(r"\s*#\s*(pragma|include|error|warning)\b")
KINDS = ("reinterpret_cast", "const_cast", "asm", "volatile")
ASM_WORDS = ("asm", "__asm", "__asm__")
ASM_QUALIFIERS = ("volatile", "__volatile__", "__volatile", "inline", "goto")
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
RAW_STRING = re.compile(r'(?:u8|u|U|L)?R"([^(\s"\\]{0,16})\(')


class Source:
    """One file split into lines of code (comments and literals blanked) and of comments."""

    def __init__(self, path, text, assembly=False):
        self.path = path
        self.code, self.comments = split_source(text, assembly)
        self.lines = len(self.code)

    def is_code(self, i):
        return self.code[i].strip() != ""

    def is_comment_only(self, i):
        return not self.is_code(i) and self.comments[i].strip() != ""


def is_digit_separator(text, i):
    """The quote at text[i] separates digits (0x1122'3344, 1'000): the token before it is a
    number, and a digit follows."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'"):
        j -= 1
    return (j < i and text[j].isdigit() and i + 1 < len(text) and
            text[i + 1] in "0123456789abcdefABCDEF")


def split_source(text, assembly):
    """Returns (code, comments): per line, the code with comments and literal contents blanked,
    and the text of the comments on that line."""
    code, comments = [], []
    cur_code, cur_comment = [], []
    i, n = 0, len(text)
    state = None  # None, "line", "block", '"', "'", "raw"
    raw_end = ""
    at_line_start = True  # only blanks so far on this line (for assembly's `#` comments)

    def newline():
        code.append("".join(cur_code))
        comments.append("".join(cur_comment))
        cur_code.clear()
        cur_comment.clear()

    while i < n:
        c = text[i]
        if c == "\n":
            if state == "line":
                state = None
            elif state in ('"', "'"):
                state = None  # an unterminated literal ends with its line
            newline()
            at_line_start = True
            i += 1
            continue
        if state == "line":
            cur_comment.append(c)
            i += 1
            continue
        if state == "block":
            if text.startswith("*/", i):
                state = None
                cur_comment.append("*/")
                i += 2
            else:
                cur_comment.append(c)
                i += 1
            continue
        if state in ('"', "'"):
            if c == "\\" and i + 1 < n and text[i + 1] != "\n":
                cur_code.append("  ")
                i += 2
                continue
            if c == state:
                state = None
                cur_code.append(c)
            else:
                cur_code.append(" ")
            i += 1
            continue
        if state == "raw":
            if text.startswith(raw_end, i):
                state = None
                cur_code.append(" " * (len(raw_end) - 1) + '"')
                i += len(raw_end)
            else:
                cur_code.append(" ")
                i += 1
            continue
        # Plain code.
        if text.startswith("//", i):
            state = "line"
            cur_comment.append("//")
            i += 2
            continue
        if text.startswith("/*", i):
            state = "block"
            cur_comment.append("/*")
            i += 2
            continue
        if assembly and c == "#" and at_line_start and not PREPROCESSOR.match(text, i):
            state = "line"
            cur_comment.append("#")
            i += 1
            continue
        if not assembly:
            m = RAW_STRING.match(text, i)
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                state = "raw"
                raw_end = ")" + m.group(1) + '"'
                cur_code.append(m.group(0))
                i = m.end()
                at_line_start = False
                continue
            if c == "'" and is_digit_separator(text, i):
                cur_code.append(c)
                i += 1
                continue
        if c in ('"', "'"):
            state = c
            cur_code.append(c)
            i += 1
            at_line_start = False
            continue
        cur_code.append(c)
        if not c.isspace():
            at_line_start = False
        i += 1
    if cur_code or cur_comment:
        newline()
    return code, comments


def find_constructs(src):
    """Yields (line index, kind) for every unsafe construct of a C++ source."""
    for i, line in enumerate(src.code):
        if NOT_CODE_DIRECTIVE.match(line):
            continue  # `#pragma GCC poison asm volatile ...` names the words, uses none
        words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(line)]
        skip_qualifiers = False
        for k, (word, start, end) in enumerate(words):
            if word in ("reinterpret_cast", "const_cast"):
                yield i, word
                skip_qualifiers = False
            elif word in ASM_WORDS:
                before = line[:start].rstrip()
                previous = words[k - 1][0] if k > 0 and words[k - 1][2] == len(before) else None
                if previous is not None and previous not in ("else", "do"):
                    # `register u64 x0 asm("x0")`, `void f() asm("name")`: a register binding
                    # or an asm label after a declarator, not a statement.
                    continue
                yield i, "asm"
                skip_qualifiers = True
            elif skip_qualifiers and word in ASM_QUALIFIERS:
                continue
            else:
                skip_qualifiers = False
                if word in ("volatile", "__volatile__", "__volatile"):
                    yield i, "volatile"
        # An asm statement's qualifier may open the next line (`asm\n volatile(...)`): rare
        # enough to ignore; the formatter keeps them on one line.


def ends_statement(code_line):
    s = code_line.rstrip()
    if not s:
        return True
    if s.endswith((";", "{", "}")):
        return True
    # A label or access specifier (`public:`, `case X:`), not `?:` or a bit-field's `:`.
    if s.endswith(":") and not s.endswith("::") and re.match(
            r"\s*(public|private|protected|case\b.*|default|[A-Za-z_]\w*)\s*:$", s):
        return True
    return False


def is_preprocessor(src, i):
    s = src.code[i].lstrip()
    return s.startswith("#")


def continues_macro(src, i):
    """Line i is a continuation of the macro definition on the line above."""
    return i > 0 and src.code[i - 1].rstrip().endswith("\\")


def statement_start(src, i):
    j = i
    while j > 0:
        if continues_macro(src, j):
            j -= 1
            continue
        if is_preprocessor(src, j):
            break
        above = j - 1
        if not src.is_code(above) or is_preprocessor(src, above) or ends_statement(src.code[above]):
            break
        j = above
    return j


def comment_block_above(src, i):
    """The comments of the comment-only lines ending directly above line i."""
    texts = []
    j = i - 1
    while j >= 0 and src.is_comment_only(j):
        texts.append(src.comments[j])
        j -= 1
    return "\n".join(reversed(texts))


def is_covered(src, i):
    if SAFETY.search(src.comments[i]):
        return True
    if SAFETY.search(comment_block_above(src, i)):
        return True
    start = statement_start(src, i)
    if start != i and i - start <= MAX_STATEMENT_LINES:
        if SAFETY.search(src.comments[start]) or SAFETY.search(comment_block_above(src, start)):
            return True
    return False


def count_loc(src):
    return sum(1 for i in range(src.lines) if src.is_code(i))


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def tree_files(top):
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
        dirnames.sort()
        for name in sorted(filenames):
            out.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return out


def is_test_file(path):
    parts = path.split("/")
    return "ktest" in parts[-1] or "ktest" in parts[:-1]


def framework_part(path):
    """'generic', an arch name, or None for framework files no image contains."""
    parts = path.split("/")
    if parts[1] in ("host", "ksyms"):
        return None
    if parts[1] == "arch" and parts[2] in ARCHES:
        return parts[2]
    return "generic"


def in_image(path, arch):
    """Whether a framework, services or drivers source goes into the image of arch."""
    parts = path.split("/")
    if parts[0] == "framework":
        part = framework_part(path)
        return part is not None and part in ("generic", arch) and not is_test_file(path)
    if parts[0] == "services" and len(parts) > 2 and parts[1] == "abi" and parts[2] in ARCHES:
        return parts[2] == arch
    return True


def run_gate(build_dir):
    """Runs the gate's ctest cases; returns (rejected as expected, bad cases, good accepted,
    all passed, output)."""
    proc = subprocess.run(["ctest", "--test-dir", build_dir, "-R", r"^gate\.", "--output-on-failure",
                           "-j", str(os.cpu_count() or 1)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    passed, failed = set(), set()
    for line in proc.stdout.splitlines():
        m = re.search(r"Test\s+#\d+: (gate\.\S+) \.+\s*(\*\*\*)?\s*(Passed|Failed|Not Run|Timeout|Exception\S*)?",
                      line)
        if m:
            (passed if m.group(3) == "Passed" else failed).add(m.group(1))
    bad = {t for t in passed | failed if t != "gate.good_file_accepted"}
    rejected = len(bad & passed)
    good = "gate.good_file_accepted" in passed
    ok = proc.returncode == 0 and not failed and bool(bad) and good
    return rejected, len(bad), good, ok, proc.stdout


SELF_TEST = [
    # (source, expected [(line, kind, covered)])
    ("int a = reinterpret_cast<int>(p); // SAFETY: on its own line\n",
     [(1, "reinterpret_cast", True)]),
    ("// SAFETY: the block\n// directly above\nasm volatile(\"\" ::: \"memory\");\n",
     [(3, "asm", True)]),
    ("// SAFETY: a blank line parts it\n\nvolatile int x;\n", [(3, "volatile", False)]),
    ("// SAFETY: covers the statement under it only\nint* a = const_cast<int*>(p);\n"
     "int* b = const_cast<int*>(q);\n",
     [(2, "const_cast", True), (3, "const_cast", False)]),
    ("// SAFETY: above the statement's first line\nf(a,\n  b,\n  reinterpret_cast<int*>(c));\n",
     [(4, "reinterpret_cast", True)]),
    ("// SAFETY: too far above\nf(a,\n  b,\n  c,\n  d,\n  e,\n  reinterpret_cast<int*>(c));\n",
     [(7, "reinterpret_cast", False)]),
    ("// reinterpret_cast in a comment\nconst char* s = \"asm volatile\"; /* const_cast */\n", []),
    ("register u64 x0 asm(\"x0\") = 1;\n#pragma GCC poison asm volatile\n", []),
    ("// SAFETY: the macro\n#define M(x) \\\n    do { \\\n        asm volatile(x); \\\n    } while (0)\n",
     [(4, "asm", True)]),
    ("// SAFETY: not this one\nint f() {\n    return *reinterpret_cast<int*>(p);\n}\n",
     [(3, "reinterpret_cast", False)]),
    ("// SAFETY (both): a group comment covers only the next statement\n"
     "u8 r8() { return *reinterpret_cast<volatile u8*>(a); }\n"
     "u16 r16() { return *reinterpret_cast<volatile u16*>(a); }\n",
     [(2, "reinterpret_cast", True), (2, "volatile", True), (3, "reinterpret_cast", False),
      (3, "volatile", False)]),
]


def self_test():
    failures = 0
    for text, want in SELF_TEST:
        src = Source("self-test.cc", text)
        got = [(i + 1, kind, is_covered(src, i)) for i, kind in find_constructs(src)]
        if got != want:
            failures += 1
            print(f"self-test FAIL: {text!r}\n  want {want}\n  got  {got}")
    print(f"self-test: {len(SELF_TEST) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "x86_64"))
    parser.add_argument("--no-gate", action="store_true", help="skip the gate corpus (ctest)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the counting rules on small examples, then exit")
    args = parser.parse_args()
    if args.self_test:
        return self_test()

    def say(line=""):
        print(line.rstrip())

    # --- lines of code per image ---------------------------------------------------------------
    sources = {}
    for top in ("framework", "services", "drivers", "lib"):
        for path in tree_files(top):
            if path.endswith(CXX_SUFFIXES):
                sources[path] = Source(path, read(path))
            elif path.endswith(ASM_SUFFIXES):
                sources[path] = Source(path, read(path), assembly=True)
    loc = {path: count_loc(src) for path, src in sources.items()}

    say("keel tcb: lines of code = non-blank lines that are not only comment (C/C++ // and /* */;")
    say("  assembly also # comment lines); framework = what the image links (generic code,")
    say("  framework/arch/<arch>/, framework/arch/include; not framework/host/, not test code:")
    say("  files named *ktest* or under framework/ktest/); services/ and drivers/ whole, less")
    say("  services/abi/<other arch>/; lib/ (checked code the framework uses) whole; TCB share =")
    say("  framework (C++ and assembly) / all four")
    say()
    say(f"{'image':<9} {'framework C++':>13} {'assembly':>9} {'services':>9} {'drivers':>8} {'lib':>5} {'TCB share':>10}")
    shares = {}
    asm_lines = {}
    for arch in ARCHES:
        fw_cxx = fw_asm = services = drivers = lib = 0
        for path, n in loc.items():
            if not in_image(path, arch):
                continue
            top = path.split("/")[0]
            if top == "framework":
                if path.endswith(ASM_SUFFIXES):
                    fw_asm += n
                else:
                    fw_cxx += n
            elif top == "services":
                services += n
            elif top == "lib":
                lib += n
            else:
                drivers += n
        framework = fw_cxx + fw_asm
        share = 100.0 * framework / (framework + services + drivers + lib)
        shares[arch] = share
        asm_lines[arch] = fw_asm
        say(f"{arch:<9} {fw_cxx:>13} {fw_asm:>9} {services:>9} {drivers:>8} {lib:>5} {share:>9.1f}%")

    # --- unsafe constructs --------------------------------------------------------------------
    say()
    say("unsafe constructs in framework/ C++ (.cc, .h; every folder, ktests and host/ included);")
    say("  covered = `SAFETY:` in a comment on the construct's line, or in the comment lines")
    say("  directly above it, or directly above the first line of its statement (at most")
    say(f"  {MAX_STATEMENT_LINES} lines up); with/without SAFETY per kind")
    say()
    header = f"{'file':<48}" + "".join(f" {k:>16}" for k in KINDS)
    say(header)
    totals = {k: [0, 0] for k in KINDS}
    uncovered = []
    for path in sorted(sources):
        if not path.startswith("framework/") or not path.endswith(CXX_SUFFIXES):
            continue
        src = sources[path]
        counts = {k: [0, 0] for k in KINDS}
        for i, kind in find_constructs(src):
            ok = is_covered(src, i)
            counts[kind][0 if ok else 1] += 1
            if not ok:
                uncovered.append(f"{path}:{i + 1}: {kind}")
        if not any(sum(c) for c in counts.values()):
            continue
        for k in KINDS:
            totals[k][0] += counts[k][0]
            totals[k][1] += counts[k][1]
        say(f"{path:<48}" + "".join(f" {counts[k][0]:>9} / {counts[k][1]:<4}" for k in KINDS))
    say(f"{'total (with / without SAFETY)':<48}" +
        "".join(f" {totals[k][0]:>9} / {totals[k][1]:<4}" for k in KINDS))
    all_constructs = sum(sum(v) for v in totals.values())
    missing = sum(v[1] for v in totals.values())
    say(f"{all_constructs} unsafe constructs, {all_constructs - missing} with SAFETY, {missing} without")

    # --- assembly -----------------------------------------------------------------------------
    say()
    say("assembly (.S and the .inc files they include; unsafe by nature), lines of code per arch,")
    say("  test helpers apart:")
    for arch in ARCHES:
        files = [p for p in sources if p.startswith(f"framework/arch/{arch}/") and p.endswith(ASM_SUFFIXES)]
        image = sorted(p for p in files if not is_test_file(p))
        tests = sum(loc[p] for p in files if is_test_file(p))
        listing = ", ".join(f"{os.path.basename(p)} {loc[p]}" for p in image)
        say(f"  {arch:<8} {asm_lines[arch]:>5} ({listing}); ktest helpers {tests}")

    # --- what is trusted at build time ---------------------------------------------------------
    # Not in any image, but a services author who could change these could switch the checks
    # off: they are reviewed like the framework (docs/ARCHITECTURE.md, "What is trusted").
    say()
    say("trusted at build time (the safe-subset gate), lines of code:")
    gate_files = [p for p in tree_files("tools/gate") if p.endswith(CXX_SUFFIXES)]
    gate_loc = sum(count_loc(Source(p, read(p))) for p in gate_files)
    say(f"  tools/gate (clang plugin, {len(gate_files)} files) {gate_loc}; configuration "
        "tools/gate/gate.conf, scripts/safe-subset.sh, scripts/safe-subset.clang-tidy, "
        "scripts/link-check.sh")

    # --- the gate corpus ----------------------------------------------------------------------
    gate_ok = True
    gate_text = "gate corpus not run"
    if not args.no_gate:
        say()
        if not os.path.isfile(os.path.join(args.build_dir, "compile_commands.json")):
            say(f"gate corpus failed: no build in {args.build_dir} (./keel build --arch x86_64)")
            gate_ok = False
            gate_text = "gate corpus: no build"
        else:
            rejected, cases, good, gate_ok, log = run_gate(args.build_dir)
            if not gate_ok:
                say(log.rstrip())
            say(f"gate corpus: {rejected} rejected as expected (of {cases} cases), "
                f"good file accepted: {'yes' if good else 'no'}")
            if not gate_ok:
                say(f"gate corpus failed: ctest -R '^gate\\.' in {args.build_dir}")
            gate_text = f"gate corpus {rejected}/{cases}" + ("" if good else ", good file rejected")

    # Last but the summary, so that the end of a log (./keel test repeats it) names them.
    if uncovered:
        say()
        say(f"without a SAFETY comment ({len(uncovered)}):")
        for u in uncovered:
            say(f"  {u}")

    share_text = ", ".join(f"{a} {shares[a]:.1f}%" for a in ARCHES)
    summary = (f"tcb: {share_text}; unsafe constructs {all_constructs}, without SAFETY {missing}; "
               f"{gate_text}")
    say()
    print(summary)
    return 0 if missing == 0 and gate_ok else 1


if __name__ == "__main__":
    sys.exit(main())
