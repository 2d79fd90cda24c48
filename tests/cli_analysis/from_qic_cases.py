#!/usr/bin/env python3
"""Turns the qicharts2 cases of ../cases/qic (copied from spc-reference.md §5.2, T-QIC-*) into
end-to-end cases of `shewhart spc --chart TYPE`: the input as long-format CSV (one series, monthly
dates from 2001-01 standing for x = 1, 2, …; rows sharing an x share a date and form one subgroup;
n becomes the denominator column), the options as command-line words, and the expected per-point
and per-series columns copied from the case's expected files (never computed). Cases whose
options the command line does not offer (exclude, cl, multiply, ip) are skipped.
Run once when a case is added: python3 from_qic_cases.py"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'cases', 'qic')


def date_of(x):
    k = int(x) - 1
    return '%04d-%02d-01' % (2001 + k // 12, k % 12 + 1)


for name in sorted(os.listdir(SRC)):
    d = os.path.join(SRC, name)
    if not os.path.isdir(d) or not os.path.exists(os.path.join(d, 'expected_points.csv')):
        continue
    opts = dict(kv.split('=') for kv in open(os.path.join(d, 'options')).read().split())
    if set(opts) - {'chart', 'freeze', 'screened_mr', 'part'} or opts['chart'] == 'ip':
        continue
    args = ['spc', '{input}', '-o', '{out}', '--summary', '{summary}', '--chart', opts['chart']]
    if 'freeze' in opts:
        args += ['--fix-after', opts['freeze']]
    if opts.get('screened_mr') == 'false':
        args += ['--no-screen']
    part_x = int(opts['part']) + 1 if 'part' in opts else None  # qic part = last x of part 1
    rows = list(csv.DictReader(open(os.path.join(d, 'input.csv'))))
    case = os.path.join(HERE, 'cases', 'spc_chart_' + name)
    os.makedirs(case, exist_ok=True)
    with open(os.path.join(case, 'input.csv'), 'w') as f:
        has_n = 'n' in rows[0]
        f.write('series,date,value' + (',denominator' if has_n else '') +
                (',rebase' if part_x else '') + '\n')
        for r in rows:
            f.write('S,%s,%s' % (date_of(r['x']), r['y']) + (',' + r['n'] if has_n else '') +
                    (',%d' % (int(r['x']) == part_x) if part_x else '') + '\n')
    with open(os.path.join(case, 'args'), 'w') as f:
        f.write(' '.join(args) + '\n')
    points = list(csv.DictReader(open(os.path.join(d, 'expected_points.csv'))))
    cols = [c for c in ['y', 'cl', 'lcl', 'ucl', 'lcl_95', 'ucl_95', 'sigma_signal', 'part']
            if c in points[0]]
    with open(os.path.join(case, 'expected_output.csv'), 'w') as f:
        f.write('series,date,' + ','.join('value' if c == 'y' else c for c in cols) + '\n')
        for p in points:
            f.write('S,%s,' % date_of(p['x']) + ','.join(p[c] for c in cols) + '\n')
    parts = list(csv.DictReader(open(os.path.join(d, 'expected_parts.csv'))))
    last = parts[-1]
    keys = [k for k in ['longest_run', 'longest_run_max', 'n_crossings', 'n_crossings_min',
                        'runs_signal'] if k in last]
    with open(os.path.join(case, 'expected_summary.csv'), 'w') as f:
        f.write('series,parts,' + ','.join(keys) + '\n')
        f.write('S,%d,' % len(parts) + ','.join(last[k] for k in keys) + '\n')
    readme = open(os.path.join(d, 'README.md')).read().splitlines()
    with open(os.path.join(case, 'README.md'), 'w') as f:
        f.write('\n'.join(readme[:5]) + '\n\nThe same case through `shewhart spc --chart`: x = 1, '
                '2, … are the months from 2001-01; the summary holds the runs analysis of the last '
                'part. Generated from ../cases/qic/' + name + ' by ../from_qic_cases.py.\n')
