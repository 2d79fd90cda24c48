#!/usr/bin/env python3
"""Turns the NHSRplotthedots cases of spc-reference.md §5.1 into tests/cases/xmr/ folders.

Provenance tool: the expected values are copied from the specification (which got them by running
NHSRplotthedots 0.2.2); nothing here computes a statistic. Run it by hand when the specification
changes:  python3 tools/ptd_cases_from_spec.py ../shared/spc-reference.md tests/cases/xmr
"""
import datetime
import os
import re
import sys

CAUSE = {'.': 'Common Cause', 'AU': 'Above UCL', 'BL': 'Below LCL',
         'TI': '7 Point Trend (Increasing)', 'TD': '7 Point Trend (Decreasing)',
         '2A': '2 in 3 Above CL', '2B': '2 in 3 Below CL',
         '7A': '7 Points Above CL', '7B': '7 Points Below CL'}
POINT = {'.': 'common_cause', 'I': 'special_cause_improvement', 'C': 'special_cause_concern',
         'NH': 'special_cause_neutral_high', 'NL': 'special_cause_neutral_low'}
ICON = {'common_cause': 'common_cause', 'improvement_high': 'improvement_high',
        'improvement_low': 'improvement_low', 'concern_high': 'concern_high',
        'concern_low': 'concern_low', 'neutral_high': 'neutral_high', 'neutral_low': 'neutral_low',
        'fail': 'consistent_fail', 'pass': 'consistent_pass', 'inconsistent': 'inconsistent'}
START = datetime.date(2021, 1, 1)


def args_of(call):
    args = []
    if 'screen_outliers=FALSE' in call:
        args.append('--no-screen')
    m = re.search(r'fix_after_n_points=(\d+)', call)
    if m:
        args += ['--fix-after', m.group(1)]
    m = re.search(r'improvement_direction="(\w+)"', call)
    if m:
        args += ['--improvement', m.group(1)]
    m = re.search(r'target=([\d.]+)', call)
    if m:
        args += ['--target', m.group(1)]
    m = re.search(r"rebase=as.Date\('([\d-]+)'\)", call)
    if m:
        args += ['--rebase', m.group(1)]
    return args


def main(spec_path, out_dir):
    text = open(spec_path, encoding='utf-8').read()
    section = text[text.index('### 5.1 NHSRplotthedots'):text.index('### 5.2 qicharts2')]
    blocks = re.split(r'\n#### ', section)[1:]
    for block in blocks:
        name = block.split(' ')[0]
        if not re.match(r'T-PTD-\d+$', name) or 'ERROR' in block:
            continue  # unit-level cases (U1-U3) live in C++ tests; the error case is ours (21)
        title = block.splitlines()[0]
        source = next(l for l in block.splitlines() if l.startswith('Source:'))
        body = block[block.index('```') + 3:block.rindex('```')]
        lines = [l for l in body.splitlines() if l.strip()]
        y_line = next(l for l in lines if l.startswith('in  y = '))
        if 'as T-PTD-01' in y_line:
            y_line = prev_y
            if 'element 15 = 10' in block.split('in  y = ')[1].splitlines()[0]:
                y_vals = prev_y.split(' = ')[1].split(', ')
                y_vals[14] = '10'
                y_line = 'in  y = ' + ', '.join(y_vals)
        elif 'as T-PTD-02' in y_line:
            y_line = t02_y
        ys = y_line.split(' = ', 1)[1].split(', ')
        if name == 'T-PTD-01':
            prev_y = y_line
        if name == 'T-PTD-02':
            t02_y = y_line
        call = next(l for l in lines if l.startswith('call '))
        groups = [re.match(r'out group (\d+) \(rows (\d+)-(\d+)\): mean=(\S+) lpl=(\S+) upl=(\S+)', l)
                  for l in lines if l.startswith('out group')]
        sct = next(l for l in lines if l.startswith('out special_cause_type:')).split(':', 1)[1].split()
        pt = next(l for l in lines if l.startswith('out point_type:')).split(':', 1)[1].split()
        icons = next(l for l in lines if l.startswith('out icons')).split('=', 1)[1]
        icons = [ICON[i.strip().replace('.svg', '')] for i in icons.split(',')]
        variation = icons[0]
        assurance = icons[1] if len(icons) > 1 else ''
        assert len(ys) == len(sct) == len(pt), name

        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        dates = [(START + datetime.timedelta(days=i)).isoformat() for i in range(len(ys))]
        with open(os.path.join(d, 'input.csv'), 'w') as f:
            f.write('series,date,value\n')
            for dt, v in zip(dates, ys):
                f.write(f'{name},{dt},{"" if v == "NA" else v}\n')
        with open(os.path.join(d, 'args'), 'w') as f:
            f.write(' '.join(args_of(call)) + '\n')
        with open(os.path.join(d, 'expected_points.csv'), 'w') as f:
            f.write('series,date,group,mean,lpl,upl,special_cause_type,point_type\n')
            for g in groups:
                gi, first, last = int(g.group(1)), int(g.group(2)), int(g.group(3))
                mean, lpl, upl = (('' if x == 'NA' else x) for x in g.group(4, 5, 6))
                for i in range(first - 1, last):
                    f.write(f'{name},{dates[i]},{gi},{mean},{lpl},{upl},'
                            f'{CAUSE[sct[i]]},{POINT[pt[i]]}\n')
        with open(os.path.join(d, 'expected_summary.csv'), 'w') as f:
            f.write('series,n,variation,assurance\n')
            f.write(f'{name},{len(ys)},{variation},{assurance}\n')
        with open(os.path.join(d, 'README.md'), 'w') as f:
            f.write(f'# {title}\n\n{source}\n\nReference call: `{call[5:]}`\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
