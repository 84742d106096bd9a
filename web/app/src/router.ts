/**
 * A hash router (`#/watch/<id>`): the server only ever serves `/`, so any link can be reloaded
 * or shared, and no app path can shadow an API path.
 */
import { h } from './dom.ts';

export interface PageContext<A = unknown> {
  readonly app: A;
  /** The page's own container; detached (harmless to write to) once the page is left. */
  readonly view: HTMLElement;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Aborted when the page is left: stops polls and pending work. */
  readonly signal: AbortSignal;
  /** Runs when the page is left (close a peer connection, leave a stream). */
  onLeave(fn: () => unknown): void;
  /** While `fn` returns a message, leaving the page (or the tab) asks first. */
  guard(fn: () => string | undefined): void;
}

export type Page<A> = (ctx: PageContext<A>) => void | Promise<void>;

export interface Route<A> {
  readonly path: string;
  readonly title: string;
  readonly page: Page<A>;
  /** Needs a signed-in user: otherwise sign in first, then come back. */
  readonly auth?: boolean;
}

interface Current {
  readonly controller: AbortController;
  readonly leave: (() => unknown)[];
  guard?: () => string | undefined;
  readonly url: string;
}

export class Router<A> {
  private current: Current | undefined;
  private rendered = false;
  private app: A | undefined;

  constructor(
    private readonly routes: readonly Route<A>[],
    private readonly main: HTMLElement,
    private readonly options: {
      /** Whether someone is signed in (routes with `auth` need it). */
      readonly signedIn: () => boolean;
      /** Called with each path rendered (the nav marks its link). */
      readonly onRoute: (path: string) => void;
    },
  ) {}

  /** Renders the current URL and follows its changes; pages get `app` as `ctx.app`. */
  start(app: A): void {
    this.app = app;
    window.addEventListener('hashchange', () => {
      // Only `#/...` is a route; other fragments (the skip link) are left to the browser.
      if (location.hash.startsWith('#/') || location.hash === '') void this.render(true);
    });
    window.addEventListener('beforeunload', (event) => {
      if (this.current?.guard?.()) event.preventDefault();
    });
    void this.render(false);
  }

  /**
   * Whether the current page may be left: true when it has no guard up, else the user's answer.
   * A page left this way is not asked again on the navigation that follows.
   */
  confirmLeave(): boolean {
    const message = this.current?.guard?.();
    if (!message) return true;
    if (!window.confirm(message)) return false;
    if (this.current) this.current.guard = undefined;
    return true;
  }

  /** Goes to `path` (`/watch/abc`); `replace` keeps it out of the history. */
  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (options.replace) {
      history.replaceState(null, '', `#${path}`);
      void this.render(false);
    } else {
      location.hash = path;
    }
  }

  /** Renders the current route again (after signing in or out). */
  refresh(): void {
    void this.render(false);
  }

  private async render(fromHashChange: boolean): Promise<void> {
    const message = this.current?.guard?.();
    if (message && fromHashChange && !window.confirm(message)) {
      history.replaceState(null, '', this.current?.url ?? '#/');
      return;
    }
    const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
    const [path = '/', search = ''] = raw.split('?', 2);
    const match = this.match(path);
    if (match?.route.auth && !this.options.signedIn()) {
      this.navigate(`/sign-in?next=${encodeURIComponent(raw)}`, { replace: true });
      return;
    }
    this.leaveCurrent();
    const current: Current = { controller: new AbortController(), leave: [], url: location.hash || '#/' };
    this.current = current;
    const view = h('div', { class: 'view' });
    this.main.replaceChildren(view);
    this.options.onRoute(path);
    const route = match?.route ?? notFound<A>();
    document.title = `${route.title} · DreamX Live`;
    const ctx: PageContext<A> = {
      app: this.app as A,
      view,
      params: match?.params ?? {},
      query: new URLSearchParams(search),
      signal: current.controller.signal,
      onLeave: (fn) => current.leave.push(fn),
      guard: (fn) => {
        current.guard = fn;
      },
    };
    try {
      await route.page(ctx);
    } catch (err) {
      if (current.controller.signal.aborted) return;
      view.replaceChildren(
        h('h1', { tabindex: -1 }, 'Something went wrong'),
        h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)),
        h('p', {}, h('a', { href: '#/' }, 'Back to live streams')),
      );
    }
    // Screen readers hear the new page; the first load keeps the browser's own focus.
    if (this.rendered && !current.controller.signal.aborted) view.querySelector<HTMLElement>('h1')?.focus();
    this.rendered = true;
  }

  private leaveCurrent(): void {
    const previous = this.current;
    if (!previous) return;
    previous.controller.abort();
    for (const fn of previous.leave) {
      try {
        Promise.resolve(fn()).catch((err: unknown) => console.warn('Leaving the page failed', err));
      } catch (err) {
        console.warn('Leaving the page failed', err);
      }
    }
  }

  private match(path: string): { route: Route<A>; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      const pattern = route.path.split('/').filter(Boolean);
      if (pattern.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = pattern.every((seg, i) => {
        const part = parts[i] ?? '';
        if (!seg.startsWith(':')) return seg === part;
        try {
          params[seg.slice(1)] = decodeURIComponent(part);
          return true;
        } catch {
          return false;
        }
      });
      if (ok) return { route, params };
    }
    return undefined;
  }
}

function notFound<A>(): Route<A> {
  return {
    path: '',
    title: 'Not found',
    page: ({ view }) => {
      view.append(
        h('h1', { tabindex: -1 }, 'Page not found'),
        h('p', {}, h('a', { href: '#/' }, 'See who is live')),
      );
    },
  };
}
