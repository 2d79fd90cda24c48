// Sign in: e-mail and password, with the NHS error summary for what went wrong.
import { ApiError, post, setSession, type Session } from '../api';
import { $, errorSummary, esc } from '../dom';
import { navigate } from '../router';

export function signInScreen(main: HTMLElement, _p: Record<string, string>, q: URLSearchParams): void {
  const signedOut = q.has('signed_out');
  main.innerHTML = `<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
  <div id="errors"></div>
  ${signedOut ? `<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span><p>You have signed out.</p></div>` : ''}
  <h1>Sign in</h1>
  <p>Sign in with the e-mail address and password your administrator gave you.</p>
  <form id="sign-in-form" novalidate>
    <div class="nhsuk-form-group" id="email-group">
      <label class="nhsuk-label" for="email">E-mail address</label>
      <div id="email-error"></div>
      <input class="nhsuk-input" id="email" name="email" type="email" autocomplete="email" spellcheck="false">
    </div>
    <div class="nhsuk-form-group" id="password-group">
      <label class="nhsuk-label" for="password">Password</label>
      <div id="password-error"></div>
      <input class="nhsuk-input" id="password" name="password" type="password" autocomplete="current-password">
    </div>
    <button class="nhsuk-button" type="submit" id="sign-in">Sign in</button>
  </form></div></div>`;
  const form = $('#sign-in-form', main) as HTMLFormElement;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = ($('#email', main) as HTMLInputElement).value.trim();
    const password = ($('#password', main) as HTMLInputElement).value;
    const problems: [string, string][] = [];
    if (!email) problems.push(['email', 'Enter your e-mail address']);
    if (!password) problems.push(['password', 'Enter your password']);
    for (const f of ['email', 'password']) {
      $(`#${f}-group`, main).classList.remove('nhsuk-form-group--error');
      $(`#${f}-error`, main).innerHTML = '';
      $(`#${f}`, main).classList.remove('nhsuk-input--error');
    }
    if (problems.length) {
      showErrors(main, problems);
      return;
    }
    try {
      const r = await post<Session & { csrf_token: string }>('/api/session', { email, password });
      setSession(r, r.csrf_token);
      const next = q.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('/sign-in') ? next : '/board', true);
    } catch (e) {
      const msg =
        e instanceof ApiError && e.status === 401
          ? 'The e-mail address or password is not right'
          : e instanceof ApiError && e.status === 429
            ? 'Too many attempts: wait 15 minutes, then try again'
            : `Signing in did not work: ${e instanceof Error ? e.message : e}`;
      showErrors(main, [['password', msg]]);
    }
  });
}

function showErrors(main: HTMLElement, problems: [string, string][]): void {
  $('#errors', main).innerHTML = errorSummary('There is a problem', problems.map((p) => p[1]));
  for (const [field, msg] of problems) {
    $(`#${field}-group`, main).classList.add('nhsuk-form-group--error');
    $(`#${field}`, main).classList.add('nhsuk-input--error');
    $(`#${field}-error`, main).innerHTML = `<span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">Error:</span> ${esc(msg)}</span>`;
  }
  $('#error-summary', main).focus();
}
