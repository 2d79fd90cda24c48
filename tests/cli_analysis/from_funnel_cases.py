#!/usr/bin/env python3
"""Turns the FunnelPlotR cases of ../cases/funnel (copied from spc-reference.md §5.3, T-FUN-01..07)
into end-to-end cases of `shewhart funnel`: the same input as a CSV file, the command-line options
of the case, and the expected per-unit and summary columns. Values are copied as printed in the
specification, never computed; the limits expected are the ones in force (od_* when the
adjustment applies). Run once when a case is added: python3 from_funnel_cases.py"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'cases', 'funnel')


def table(lines, start):
    header = [c.strip() for c in lines[start].split(':', 1)[1].split('|')]
    rows = []
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith('#') or ':' in line.split('|')[0]:
            break
        rows.append([c.strip() for c in line.split('|')])
    return header, rows


for name in sorted(os.listdir(SRC)):
    m = re.match(r'fun0(\d)_.*\.case$', name)
    if not m:
        continue
    lines = open(os.path.join(SRC, name)).read().splitlines()
    kv = {}
    for line in lines:
        mm = re.match(r'^(\w+): (.*)$', line)
        if mm and not line.startswith('table'):
            kv[mm.group(1)] = mm.group(2).strip()
    rows_at = next(i for i, l in enumerate(lines) if l.startswith('table rows'))
    exp_at = next(i for i, l in enumerate(lines) if l.startswith('table expect'))
    _, rows = table(lines, rows_at)
    header, expect = table(lines, exp_at)
    case = os.path.join(HERE, 'cases', 'funnel_T-FUN-0' + m.group(1))
    os.makedirs(case, exist_ok=True)
    with open(os.path.join(case, 'input.csv'), 'w') as f:
        f.write('unit,numerator,denominator\n')
        for r in rows:
            f.write(','.join(r) + '\n')
    args = ['funnel', '{input}', '-o', '{out}', '--summary', '{summary}', '--type', kv['type'],
            '--limit', kv['limit'], '--overdispersion', kv['overdispersion'],
            '--trim-by', kv['trim_by'], '--multiplier', kv['multiplier']]
    if kv['type'] == 'ratio':
        args += ['--sr-method', kv['sr_method']]
    with open(os.path.join(case, 'args'), 'w') as f:
        f.write(' '.join(args) + '\n')
    adjusted = kv['adjusted'] == 'yes'
    prefix = 'od_' if adjusted else ''
    cols = ['unit', 'z'] + (['value'] if kv['multiplier'] == '1' else []) + \
        ['lcl95', 'ucl95', 'lcl998', 'ucl998', 'outlier']
    with open(os.path.join(case, 'expected_output.csv'), 'w') as f:
        f.write(','.join(cols) + '\n')
        for r in expect:
            cell = dict(zip(header, r))
            out = []
            for c in cols:
                src = prefix + c if c.startswith(('lcl', 'ucl')) else c
                v = cell[src]
                if c == 'outlier' and v == 'none':
                    v = ''
                out.append(v)
            f.write(','.join(out) + '\n')
    with open(os.path.join(case, 'expected_summary.csv'), 'w') as f:
        f.write('method,phi,tau2,adjusted\nfunnelplotr,%s,%s,%s\n' % (kv['phi'], kv['tau2'],
                                                  'true' if adjusted else 'false'))
    with open(os.path.join(case, 'README.md'), 'w') as f:
        f.write(lines[0].lstrip('# ') + '\n\n' + '\n'.join(l.lstrip('# ') for l in lines[1:4]) +
                '\n\nExpected values copied from spc-reference.md §5.3 (via ../cases/funnel/' +
                name + ') by ../from_funnel_cases.py.' +
                ('' if kv['multiplier'] == '1' else
                 ' The value column is left out: the specification prints it without the '
                 'multiplier, the command writes it on the limits\' scale.') + '\n')
