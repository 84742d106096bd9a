import { type App, errorLine, heading, showError } from '../app.ts';
import { field, h } from '../dom.ts';
import type { PageContext } from '../router.ts';
import { USER_NAME_PATTERN } from '../session.ts';

/** Local mode: pick a name, get a token from the stack's dev issuer. */
export function signInPage({ app, view, query }: PageContext<App>): void {
  const next = safeNext(query.get('next'));
  const user = app.session.user;
  const name = h('input', {
    name: 'userId',
    autocomplete: 'username',
    required: true,
    pattern: USER_NAME_PATTERN,
    maxlength: 128,
    autocapitalize: 'none',
    spellcheck: 'false',
    'data-testid': 'sign-in-name',
  });
  const submit = h('button', { type: 'submit', 'data-testid': 'sign-in-submit' }, 'Sign in');
  const error = errorLine('sign-in-error');
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    field(
      'Your name',
      name,
      'Letters, digits and _ . @ - (for example alice). Each tab can be someone else.',
    ),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const userId = name.value.trim();
    if (!new RegExp(`^${USER_NAME_PATTERN}$`).test(userId)) {
      showError(error, new Error('Use 1 to 128 letters, digits or _ . @ -'));
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    name.removeAttribute('aria-invalid');
    submit.disabled = true;
    showError(error, undefined);
    try {
      await app.session.signIn(userId);
      app.router.navigate(next, { replace: true });
    } catch (err) {
      showError(error, err);
      submit.disabled = false;
    }
  });

  view.append(
    heading('Sign in'),
    h(
      'p',
      { class: 'muted' },
      'Local mode: the stack’s dev issuer gives a token to any name. Deployed, tokens come from your identity provider.',
    ),
    user ? h('p', {}, `You are signed in as ${user.userId}. Signing in again switches user.`) : '',
    form,
  );
  name.focus();
}

/** Only in-app paths, so a crafted `next` cannot send the user elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && next !== '/sign-in' ? next : '/';
}
