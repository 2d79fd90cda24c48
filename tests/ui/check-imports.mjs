// Checks the web front end's module graph (ui/src): nothing imports the entry module (the script
// ui/index.html loads, main.ts) — in particular no file in ui/src/screens/ — and there is no
// import cycle among the modules (static imports, dynamic import() and re-exports; type-only
// imports are left out, they vanish at run time). Exits 1 with one line per problem.
//
// Usage: node tests/ui/check-imports.mjs [UI_DIR]       (default: ui/ beside tests/)
//        node tests/ui/check-imports.mjs --self-test    (proves the check fails on a bad tree)
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// The module specifiers a file imports: [{spec, typeOnly}].
function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const found = [];
  const patterns = [
    /(?:^|[;\s])(import|export)\s+(type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g, // import x from '...'
    /(?:^|[;\s])(import)()\s*['"]([^'"]+)['"]/g, // import '...'
    /(?:^|[^\w.])(import)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('...')
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) found.push({ spec: m[3], typeOnly: Boolean(m[2]) });
  }
  return found;
}

function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return null; // a package
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.mts`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

// Returns the list of problems found in the front end at `uiDir`.
export function check(uiDir) {
  const problems = [];
  const src = join(uiDir, 'src');
  const html = readFileSync(join(uiDir, 'index.html'), 'utf8');
  const entrySrc = /<script[^>]*type="module"[^>]*src="\/?([^"]+)"/.exec(html)?.[1];
  if (!entrySrc) return [`${join(uiDir, 'index.html')}: no <script type="module" src=...>`];
  const entry = resolve(uiDir, entrySrc);
  const rel = (p) => relative(uiDir, p);
  const graph = new Map();
  for (const file of sources(src)) {
    const edges = [];
    for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolveSpec(file, spec);
      if (spec.startsWith('.') && !target && !/\.(css|svg|png|json)$/.test(spec)) {
        problems.push(`${rel(file)}: cannot resolve import '${spec}'`);
      }
      if (!target || !/\.(ts|mts|js|mjs)$/.test(target)) continue;
      if (target === entry) {
        const inScreens = !relative(join(src, 'screens'), file).startsWith('..');
        problems.push(
          `${rel(file)}: imports the entry module ${rel(entry)}` +
            (inScreens ? ' (a screen must import ../router, never the entry module)' : ''),
        );
      }
      if (!typeOnly) edges.push(target);
    }
    graph.set(file, edges);
  }
  // Cycles: depth-first search, reporting each cycle once by its path.
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 1) {
        const cycle = stack.slice(stack.indexOf(t)).concat(t);
        problems.push(`import cycle: ${cycle.map(rel).join(' -> ')}`);
      } else if (!state.has(t)) {
        visit(t);
      }
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return problems;
}

// A small front end with a screen that imports the entry module and a cycle: both must be found;
// and the same tree fixed must pass.
function selfTest() {
  const dir = mkdtempSync(join(tmpdir(), 'shewhart-ui-imports-'));
  try {
    mkdirSync(join(dir, 'src', 'screens'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<script type="module" src="/src/main.ts"></script>');
    writeFileSync(join(dir, 'src', 'main.ts'), "import './style.css';\nimport { screens } from './registry';\n");
    writeFileSync(join(dir, 'src', 'registry.ts'), "export const screens = [() => import('./screens/a')];\n");
    writeFileSync(join(dir, 'src', 'router.ts'), 'export function navigate() {}\n');
    writeFileSync(join(dir, 'src', 'x.ts'), "// import { y } from './y';\nimport { y } from './y';\nexport const x = 1;\n");
    writeFileSync(join(dir, 'src', 'y.ts'), "import {\n  x,\n} from './x';\nexport const y = 2;\n");
    writeFileSync(join(dir, 'src', 'screens', 'a.ts'), "import { navigate } from '../main';\nimport type { T } from '../registry';\n");
    const bad = check(dir);
    const entryFound = bad.some((p) => p.startsWith(join('src', 'screens', 'a.ts')) && p.includes('entry module'));
    const cycleFound = bad.some((p) => p.startsWith('import cycle') && p.includes('x.ts') && p.includes('y.ts'));
    writeFileSync(join(dir, 'src', 'screens', 'a.ts'), "import { navigate } from '../router';\n");
    writeFileSync(join(dir, 'src', 'y.ts'), 'export const y = 2;\n');
    const good = check(dir);
    const ok = entryFound && cycleFound && good.length === 0;
    if (!ok) console.log(`self-test FAILED:\n  bad tree: ${JSON.stringify(bad)}\n  good tree: ${JSON.stringify(good)}`);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--self-test') {
    const ok = selfTest();
    console.log(ok ? 'self-test passed: a screen importing the entry module and a cycle are both found' : '');
    process.exit(ok ? 0 : 1);
  }
  const uiDir = resolve(process.argv[2] ?? join(here, '..', '..', 'ui'));
  const problems = check(uiDir);
  for (const p of problems) console.log(`FAIL ${p}`);
  const n = sources(join(uiDir, 'src')).length;
  console.log(problems.length ? `${problems.length} problems in ${n} modules` : `ok: ${n} modules, no import of the entry module, no cycle`);
  process.exit(problems.length ? 1 : 0);
}
