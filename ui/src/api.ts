// The JSON API client: one fetch wrapper that carries the session cookie and the CSRF token, and
// turns the server's error shape ({"error": {code, message, details}}) into ApiError.
export type Role =
  | 'administrator'
  | 'system_quality_lead'
  | 'organisation_quality_lead'
  | 'qi_practitioner'
  | 'data_submitter'
  | 'viewer';

export interface Account {
  id: number;
  email: string;
  role: Role;
  organisation: string | null;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: unknown,
  ) {
    super(message);
  }
}

// The answer of GET /api/session (and of signing in): who is signed in, the actions of the routes
// they may call (named in src/server/routes.cc, listed in docs/api.md) and whether their scope is
// the whole system.
export interface Session {
  account: Account;
  actions: string[];
  system_scope: boolean;
}

let csrfToken = sessionStorage.getItem('shewhart.csrf') ?? '';
export let account: Account | null = null;
let actions = new Set<string>();
let systemScope = false;

export function setSession(s: Session | null, csrf?: string): void {
  account = s?.account ?? null;
  actions = new Set(s?.actions ?? []);
  systemScope = s?.system_scope ?? false;
  if (csrf !== undefined) {
    csrfToken = csrf;
    sessionStorage.setItem('shewhart.csrf', csrf);
  }
  if (s === null) {
    csrfToken = '';
    sessionStorage.removeItem('shewhart.csrf');
    // The server's "signed in" hint (index.html prefetches the board only with it).
    document.cookie = 'shewhart_signed_in=; Path=/; SameSite=Strict; Max-Age=0';
  }
}

// True if the person signed in may call the route named `action` ('metric.agree',
// 'series.recalculate', ...): the server's answer, so the front end never copies its role rules.
export function can(action: string): boolean {
  return actions.has(action);
}

// True if the person's scope is every organisation (administrators and system quality leads):
// they may import organisations and metric definitions as well as observations.
export function hasSystemScope(): boolean {
  return systemScope;
}

export async function request<T>(
  method: string,
  path: string,
  body?: BodyInit | object,
  contentType = 'application/json',
): Promise<T> {
  const headers: Record<string, string> = {};
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    const raw = body instanceof Blob || body instanceof ArrayBuffer || typeof body === 'string';
    payload = raw ? (body as BodyInit) : JSON.stringify(body);
    headers['Content-Type'] = raw ? contentType : 'application/json';
  } else if (method !== 'GET') {
    payload = '';
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)
      ?.error;
    throw new ApiError(res.status, e?.code ?? 'unknown', e?.message ?? `The server answered ${res.status}`, e?.details ?? null);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: BodyInit | object, type?: string) =>
  request<T>('POST', path, body, type);

// --- Shapes of the answers the screens use ------------------------------------------------

export type Variation =
  | 'common_cause'
  | 'improvement_high'
  | 'improvement_low'
  | 'concern_high'
  | 'concern_low'
  | 'neutral_high'
  | 'neutral_low'
  | '';
export type Assurance = 'consistent_pass' | 'consistent_fail' | 'inconsistent' | '';

export interface BoardRow {
  aggregate: boolean;
  assurance: Assurance;
  domain: string;
  improvement_direction: string;
  kind: string;
  last_period: string;
  lpl: number | null;
  mean: number | null;
  upl: number | null;
  metric: string;
  n_concern: number;
  n_improvement: number;
  n_points: number;
  name: string;
  place: string | null;
  target: number | null;
  unit: string;
  unit_name: string;
  variation: Variation;
  // Aggregates: how the system's value is formed, who reported its latest period and what is
  // held back (too few organisations reported it).
  aggregation?: 'pooled' | 'sum' | 'mean' | null;
  reported?: number | null;
  expected?: number | null;
  held_back?: HeldBack[];
}

export interface HeldBack {
  period: string;
  reported: number;
  expected: number;
}

// GET /api/board/report: the four questions for one scope (src/oversight/report.h).
export interface ReportRow {
  metric: string;
  name: string;
  domain: string;
  improvement_direction: string;
  unit: string;
  aggregate: boolean;
  variation: Variation;
  assurance: Assurance;
  latest: number | null;
  last_period: string;
  target: number | null;
  mean: number | null;
  lpl: number | null;
  upl: number | null;
  aggregation: 'pooled' | 'sum' | 'mean' | null;
  reported: number | null;
  expected: number | null;
  held_back: HeldBack[];
  trend: { per_year: number | null; lower95: number | null; upper95: number | null; unit: string; word: string };
  peers: {
    period: string;
    group: string;
    n: number;
    favourable: number;
    unfavourable: number;
    outlier: 'favourable' | 'unfavourable' | 'none' | null;
    position: number | null;
    best: number | null;
    best_unit: string | null;
    best_name: string | null;
  };
}
export interface Report {
  scope: string;
  scope_name: string;
  scope_kind: string;
  aggregate: boolean;
  latest_period: string | null;
  rows: ReportRow[];
}

export interface Organisation {
  code: string;
  name: string;
  kind: string;
  parent: string | null;
  member_of: string[];
  opened: string | null;
  closed: string | null;
  successor: string | null;
}

export interface MetricVersion {
  version: number;
  status: string;
  name: string;
  definition: string;
  numerator_definition: string;
  denominator_definition: string;
  unit: string;
  measure: string;
  improvement_direction: string;
  chart_type: string;
  frequency: string;
  domain: string;
  source: string;
  owner: string;
  multiplier: number;
  target: number | null;
  target_from: string | null;
  applies_from: string | null;
  agreed_at: string | null;
  agreed_by: string | null;
  created_at: string;
  created_by: string;
}

export interface Metric {
  code: string;
  versions: MetricVersion[];
}

export interface SeriesPoint {
  period: string;
  type: 'c' | 'i' | 'x' | 'h' | 'l';
  value: number | null;
  reported?: number;
  expected?: number;
}
export interface SeriesGroup {
  begin: number;
  end: number;
  mean: number | null;
  lpl: number | null;
  upl: number | null;
  short: boolean;
  reason?: string;
}
export interface Series {
  metric: string;
  unit: string;
  aggregate: boolean;
  computed_at: string;
  groups: SeriesGroup[];
  points: SeriesPoint[];
  warnings: string[];
  coverage?: { aggregation: 'pooled' | 'sum' | 'mean'; reported: number | null; expected: number | null; held_back: HeldBack[] } | null;
  summary: {
    assurance: Assurance;
    variation: Variation;
    first_period: string;
    last_period: string;
    frequency: string;
    mean: number | null;
    lpl: number | null;
    upl: number | null;
    n_concern: number;
    n_improvement: number;
    n_points: number;
    target: number | null;
  };
}

export interface FunnelUnit {
  unit: string;
  numerator: number;
  denominator: number;
  value: number;
  lcl95: number;
  ucl95: number;
  lcl998: number;
  ucl998: number;
  outlier: string;
}
export interface Funnel {
  metric: string;
  period: string;
  target: number;
  overdispersion_adjusted: boolean;
  units: FunnelUnit[];
}
export interface Standing {
  metric: string;
  period: string;
  best: number;
  median: number;
  n: number;
  units: {
    unit: string;
    value: number;
    rank: number;
    quartile: number;
    gap_to_best: number;
    gap_to_top_quartile: number;
  }[];
}
export interface Trend {
  metric: string;
  unit: string;
  n: number;
  theil_sen: { per_year: number; lower95: number; upper95: number };
  ols: { per_year: number; lower95: number; upper95: number };
}
export interface Submission {
  unit: string;
  expected: number;
  received: number;
  on_time: number;
  completeness: number;
  timeliness: number;
}
export interface ImportReport {
  file: string;
  rows: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: { row: number; key: string; before: string; after: string }[];
  written: boolean;
  batch_id: number;
  series_recomputed: number;
  aggregates_recomputed: number;
  summary: string;
}
export interface GlossaryTerm {
  term: string;
  definition: string;
  status: string;
  version: number;
  created_by?: string;
  created_at?: string;
}

// --- Role names as people read them --------------------------------------------------------

export const roleNames: Record<Role, string> = {
  administrator: 'Administrator',
  system_quality_lead: 'System quality lead',
  organisation_quality_lead: 'Organisation quality lead',
  qi_practitioner: 'QI practitioner',
  data_submitter: 'Data submitter',
  viewer: 'Viewer',
};
