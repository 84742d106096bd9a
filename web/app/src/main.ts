import { LivestreamApi } from '../../sdk/index.ts';
import type { App } from './app.ts';
import { h } from './dom.ts';
import { goLivePage } from './pages/go-live.ts';
import { recordingsPage } from './pages/recordings.ts';
import { signInPage } from './pages/sign-in.ts';
import { statsPage } from './pages/stats.ts';
import { streamsPage } from './pages/streams.ts';
import { watchPage } from './pages/watch.ts';
import { type Route, Router } from './router.ts';
import { Session } from './session.ts';

const routes: Route<App>[] = [
  { path: '/', title: 'Live now', page: streamsPage },
  { path: '/sign-in', title: 'Sign in', page: signInPage },
  { path: '/live', title: 'Go live', page: goLivePage, auth: true },
  { path: '/watch/:id', title: 'Watch', page: watchPage, auth: true },
  { path: '/recordings', title: 'Recordings', page: recordingsPage, auth: true },
  { path: '/recordings/:id', title: 'Recording', page: recordingsPage, auth: true },
  { path: '/stats/:id', title: 'Stats', page: statsPage, auth: true },
];

const NAV = [
  { href: '#/', label: 'Live now', match: (p: string) => p === '/' || p.startsWith('/watch') },
  { href: '#/live', label: 'Go live', match: (p: string) => p === '/live' },
  { href: '#/recordings', label: 'Recordings', match: (p: string) => p.startsWith('/recordings') },
];

const session = new Session();
const api = new LivestreamApi({ baseUrl: location.origin, token: () => session.token() });
const main = document.getElementById('main') as HTMLElement;
const toast = document.getElementById('toast') as HTMLElement;
const links = NAV.map((item) => h('a', { href: item.href }, item.label));
const account = h('div', { class: 'account' });

let toastTimer: ReturnType<typeof setTimeout> | undefined;
const router = new Router<App>(routes, main, {
  signedIn: () => session.user !== undefined,
  onRoute: (path) =>
    NAV.forEach((item, i) => {
      if (item.match(path)) links[i]?.setAttribute('aria-current', 'page');
      else links[i]?.removeAttribute('aria-current');
    }),
});
const app: App = {
  api,
  session,
  router,
  notify(message) {
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 4000);
  },
};

function renderAccount(): void {
  const user = session.user;
  if (!user) {
    account.replaceChildren(h('a', { href: '#/sign-in', class: 'button small' }, 'Sign in'));
    return;
  }
  account.replaceChildren(
    h('span', { class: 'whoami', 'data-testid': 'whoami' }, 'Signed in as ', h('strong', {}, user.userId)),
    h(
      'button',
      {
        type: 'button',
        class: 'small secondary',
        'data-testid': 'sign-out',
        onclick: () => {
          // Asked first: signing out under a live broadcast would leave it without a token.
          if (!router.confirmLeave()) return;
          session.signOut();
          router.navigate('/sign-in');
        },
      },
      'Sign out',
    ),
  );
}

document.getElementById('nav')?.append(...links);
document.getElementById('account-slot')?.replaceWith(account);
document.querySelector('.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
session.onChange(renderAccount);
renderAccount();
router.start(app);
