#!/usr/bin/env python3
"""Writes the T-QIC-* case folders from ../shared/spc-reference.md §5.2 (and its appendix A).

Expected values are copied from the specification text, never computed: constants printed once
per part are repeated on every point of the part, `sigma.signal at x = {...}` becomes a true/false
column, NA becomes an empty cell. Run from anywhere:

    python3 tests/cases/qic/from_spec.py /work/shared/spc-reference.md

Existing case folders are overwritten; hand-written cases (other names) are left alone.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
POINT_COLUMNS = {"y (plotted)": "y", "y": "y", "cl": "cl", "lcl": "lcl", "ucl": "ucl",
                 "lcl.95": "lcl_95", "ucl.95": "ucl_95"}
PART_FIELDS = ["n.obs", "n.useful", "longest.run", "longest.run.max", "n.crossings",
               "n.crossings.min", "runs.signal"]


def values(text):
    return [v.strip() for v in re.split(r"[,\s]+", text.strip()) if v.strip()]


def cell(v):
    return "" if v == "NA" else v


def appendix(spec):
    tables = {}
    body = spec.split("### Appendix A")[1]
    for name, block in re.findall(r"`(\w[\w.]*)`\n```\n(.*?)```", body, re.S):
        rows = []
        for line in block.strip().splitlines():
            k, v = line.split(":")
            rows.append((int(k), values(v)))
        tables[name] = rows
    return tables


def parse_cases(spec):
    section = spec.split("### 5.2 qicharts2")[1].split("### 5.3")[0]
    cases = {}
    for m in re.finditer(r"#### (T-QIC-\w+) — (.*?)\n(.*?)```\n(.*?)```", section, re.S):
        cid, title, pre, block = m.groups()
        source = re.search(r"Source: (.*)", pre).group(1).strip()
        cases[cid] = {"title": title.strip(), "source": source, "lines": block.splitlines()}
    return cases


def options_of(call):
    opts = {}
    chart = re.search(r"chart='(\w+)'", call)
    opts["chart"] = chart.group(1) if chart else "run"
    for key in ("freeze", "part", "cl", "multiply"):
        m = re.search(r"\b%s=([\d.]+)" % key, call)
        if m:
            opts[key] = m.group(1)
    m = re.search(r"exclude=c\(([^)]*)\)|exclude=(\d+)", call)
    if m:
        opts["exclude"] = ",".join(values(m.group(1) or m.group(2)))
    if "qic.screenedmr=FALSE" in call:
        opts["screened_mr"] = "false"
    return opts


def build(cid, case, cases, tables):
    inputs, call, parts, points, signals = {}, "", {}, {}, None
    for line in case["lines"]:
        if line.startswith("in "):
            key, val = [s.strip() for s in line[3:].split("=", 1)]
            if val.startswith("as T-QIC-"):
                ref = val.split()[1]
                for other in cases[ref]["lines"]:
                    if other.startswith("in ") and other[3:].split("=")[0].strip() == key:
                        val = other[3:].split("=", 1)[1].strip()
            inputs[key] = val
        elif line.startswith("call "):
            call = line[5:].strip()
        elif line.startswith("out "):
            body = line[4:].strip()
            part = 1
            pm = re.match(r"part (\d+): (.*)", body)
            if pm:
                part, body = int(pm.group(1)), pm.group(2)
            if body.startswith("sigma.signal at x"):
                signals = {int(v) for v in values(body.split("{")[1].rstrip("}").replace(",", " "))}
            elif body.startswith("n.obs"):
                parts[part] = dict(kv.split("=") for kv in body.split())
            elif "(per point)" in body or body.startswith("y (plotted)"):
                name, val = [s.strip() for s in body.split("=", 1)]
                name = name.replace(" (per point)", "")
                points[POINT_COLUMNS[name]] = ("list", values(val))
            else:
                for item in body.split(";"):
                    name, val = [s.strip() for s in item.split("=")]
                    points.setdefault(POINT_COLUMNS[name], ("parts", {}))[1][part] = val
    # Input rows.
    rows = []
    if "data" in inputs:
        table = tables[inputs["data"].split()[0]]
        for x, obs in table:
            rows.extend((x, v, None) for v in obs)
        n_points = len(table)
    else:
        y = values(inputs.get("y") or inputs["numerator"])
        n = None
        den = inputs.get("denominator") or inputs.get("n")
        if den:
            fixed = re.match(r"(\d+) for every subgroup", den)
            n = [fixed.group(1)] * len(y) if fixed else values(den)
        rows = [(i + 1, y[i], n[i] if n else None) for i in range(len(y))]
        n_points = len(y)
    opts = options_of(call)
    # Part of each point (qicharts2's part = k: points 1..k, then k+1..).
    cuts = [int(v) for v in opts.get("part", "").split(",") if v]
    part_of = [1 + sum(x > c for c in cuts) for x in range(1, n_points + 1)]

    folder = os.path.join(HERE, cid)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write("# %s — %s\n\nSource: %s\n\nReference call: `%s`\n\n"
                "Generated from spc-reference.md §5.2 by `../from_spec.py`; expected values are "
                "copied from the specification.\n" % (cid, case["title"], case["source"], call))
    with open(os.path.join(folder, "input.csv"), "w") as f:
        has_n = rows[0][2] is not None
        f.write("x,y,n\n" if has_n else "x,y\n")
        for x, y, n in rows:
            f.write("%d,%s%s\n" % (x, cell(y), "," + cell(n) if has_n else ""))
    with open(os.path.join(folder, "options"), "w") as f:
        f.write(" ".join("%s=%s" % kv for kv in opts.items()) + "\n")
    columns = ["x", "part"] + list(points) + (["sigma_signal"] if signals is not None else [])
    with open(os.path.join(folder, "expected_points.csv"), "w") as f:
        f.write(",".join(columns) + "\n")
        for i in range(n_points):
            row = [str(i + 1), str(part_of[i])]
            for col in points:
                kind, val = points[col]
                row.append(cell(val[i] if kind == "list" else val[part_of[i]]))
            if signals is not None:
                row.append("true" if i + 1 in signals else "false")
            f.write(",".join(row) + "\n")
    with open(os.path.join(folder, "expected_parts.csv"), "w") as f:
        f.write("part," + ",".join(k.replace(".", "_") for k in PART_FIELDS) + "\n")
        for part in sorted(parts):
            row = [str(part)] + [cell(parts[part][k]).lower() for k in PART_FIELDS]
            f.write(",".join(row) + "\n")


def main():
    spec = open(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/spc-reference.md").read()
    cases = parse_cases(spec)
    tables = appendix(spec)
    for cid, case in cases.items():
        build(cid, case, cases, tables)
    print("wrote %d cases" % len(cases))


if __name__ == "__main__":
    main()
