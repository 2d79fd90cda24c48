// The screen registry: every page of the front end, one line each — its path, its title, the menu
// entry it sits under, and how to load it. Adding a screen means adding its file in screens/ and a
// line here; the frame (main.ts) builds the menu and routes from this list. Order matters: the
// first matching path wins, and menu entries appear in the order of their lines. The menu has two
// rows: its sections (Oversight, Act, Improve, Learn, Measures, Data: each goes to its first
// entry) and, under the current section, that section's entries.
import type { Screen } from './router';
// The board is bundled with the frame (it is the first thing most people see); the other screens
// load on demand, so the board paints without waiting for the chart library.
import { boardScreen } from './screens/board';

export interface ScreenEntry {
  path: string; // with :placeholders, e.g. '/glossary/:term'
  title: string; // the page title until the screen's <h1> names the page
  nav: string; // the menu entry shown as current ('' for none)
  menu?: string; // this screen is that menu entry's target, with this label
  section?: string; // the menu section the entry sits in (the top row of the menu); the section's
  // entries form the second row while one of them is current
  signedOut?: boolean; // shown without a session (everything else sends you to sign in)
  load: () => Promise<Screen>;
}

export const screens: readonly ScreenEntry[] = [
  { path: '/', title: 'Board summary', nav: 'board', load: async () => boardScreen },
  { path: '/board', title: 'Board summary', nav: 'board', menu: 'Board summary', section: 'Oversight', load: async () => boardScreen },
  { path: '/sign-in', title: 'Sign in', nav: '', signedOut: true, load: async () => (await import('./screens/signin')).signInScreen },
  { path: '/metrics/:code', title: 'Metric', nav: 'board', load: async () => (await import('./screens/metric')).metricScreen },
  { path: '/organisations', title: 'Organisations', nav: 'orgs', menu: 'Organisations', section: 'Oversight', load: async () => (await import('./screens/organisation')).organisationListScreen },
  { path: '/organisations/:code', title: 'Organisation', nav: 'orgs', load: async () => (await import('./screens/organisation')).organisationScreen },
  { path: '/system', title: 'System view', nav: 'system', menu: 'System view', section: 'Oversight', load: async () => (await import('./screens/system')).systemScreen },
  { path: '/chart/:metric/:unit', title: 'Chart', nav: 'board', load: async () => (await import('./screens/chart')).chartScreen },
  { path: '/dictionary', title: 'Dictionary', nav: 'dictionary', menu: 'Dictionary', section: 'Measures', load: async () => (await import('./screens/dictionary')).dictionaryScreen },
  { path: '/dictionary/:code', title: 'Definition', nav: 'dictionary', load: async () => (await import('./screens/dictionary')).definitionScreen },
  { path: '/glossary', title: 'Glossary', nav: 'glossary', menu: 'Glossary', section: 'Measures', load: async () => (await import('./screens/glossary')).glossaryScreen },
  { path: '/glossary/:term', title: 'Glossary term', nav: 'glossary', load: async () => (await import('./screens/glossary')).termScreen },
  { path: '/my-work', title: 'My work', nav: 'work', menu: 'My work', section: 'Act', load: async () => (await import('./screens/followup')).myWorkScreen },
  { path: '/concerns', title: 'Concerns', nav: 'concerns', menu: 'Concerns', section: 'Act', load: async () => (await import('./screens/followup')).concernsScreen },
  { path: '/concerns/:id', title: 'Concern', nav: 'concerns', load: async () => (await import('./screens/followup')).concernScreen },
  { path: '/risks', title: 'Risk register', nav: 'risks', menu: 'Risks', section: 'Act', load: async () => (await import('./screens/followup')).risksScreen },
  { path: '/risks/:id', title: 'Risk', nav: 'risks', load: async () => (await import('./screens/followup')).riskScreen },
  { path: '/meetings', title: 'Meetings', nav: 'meetings', menu: 'Meetings', section: 'Act', load: async () => (await import('./screens/followup')).meetingsScreen },
  { path: '/meetings/:id', title: 'Meeting', nav: 'meetings', load: async () => (await import('./screens/followup')).meetingScreen },
  { path: '/improvement', title: 'Improvement', nav: 'improvement', menu: 'Improvement', section: 'Improve', load: async () => (await import('./screens/improvement')).improvementScreen },
  { path: '/projects/:id', title: 'Project', nav: 'improvement', load: async () => (await import('./screens/improvement')).projectScreen },
  { path: '/programmes/:id', title: 'Programme', nav: 'improvement', load: async () => (await import('./screens/improvement')).programmeScreen },
  { path: '/rollouts/:id', title: 'Roll-out', nav: 'improvement', load: async () => (await import('./screens/improvement')).rolloutScreen },
  { path: '/capability', title: 'Capability', nav: 'capability', menu: 'Capability', section: 'Improve', load: async () => (await import('./screens/capability')).capabilityScreen },
  { path: '/readiness', title: 'Readiness', nav: 'capability', load: async () => (await import('./screens/readiness')).readinessScreen },
  { path: '/person', title: 'Person', nav: 'capability', load: async () => (await import('./screens/capability')).personScreen },
  { path: '/lessons', title: 'Lessons library', nav: 'learning', menu: 'Learning', section: 'Learn', load: async () => (await import('./screens/learning')).lessonsScreen },
  { path: '/lessons/:id', title: 'Lesson', nav: 'learning', load: async () => (await import('./screens/learning')).lessonScreen },
  { path: '/search', title: 'Search', nav: 'search', menu: 'Search', section: 'Learn', load: async () => (await import('./screens/learning')).searchScreen },
  { path: '/forums', title: 'Learning forums', nav: 'learning', load: async () => (await import('./screens/learning')).forumsScreen },
  { path: '/forums/:id', title: 'Learning forum', nav: 'learning', load: async () => (await import('./screens/learning')).forumScreen },
  { path: '/reviews/:id', title: 'Thematic review', nav: 'learning', load: async () => (await import('./screens/learning')).reviewScreen },
  { path: '/digest', title: 'Learning digest', nav: 'learning', load: async () => (await import('./screens/learning')).digestScreen },
  { path: '/data', title: 'Data', nav: 'data', menu: 'Data', section: 'Data', load: async () => (await import('./screens/data')).dataScreen },
];
