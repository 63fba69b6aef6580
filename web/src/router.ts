// Client-side routing under /portal/ with the History API: the hub returns index.html for
// every /portal/<route> without a file extension, so each route is a shareable URL.

import { useMemo, useSyncExternalStore, type MouseEvent } from 'react';

export const basePath = '/portal';
const navigateEvent = 'parley:navigate';

let navigatedInApp = false;
window.addEventListener('popstate', () => {
  navigatedInApp = true;
});

/** Returns whether the page changed inside the app since it loaded, by a link, a redirect or the back button. */
export function hasNavigated(): boolean {
  return navigatedInApp;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(navigateEvent, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(navigateEvent, onChange);
  };
}

function currentUrl(): string {
  return window.location.pathname + window.location.search;
}

/** Returns the current path and query, and renders the calling component again on every navigation. */
export function useUrl(): URL {
  const url = useSyncExternalStore(subscribe, currentUrl);
  // One object per URL, so that effects that depend on it run only when the URL changes.
  return useMemo(() => new URL(url, window.location.origin), [url]);
}

/** Goes to a portal URL such as /portal/orgs/acme/overview?platform=slack. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentUrl()) return;
  navigatedInApp = true;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(navigateEvent));
}

/** Follows a link inside the app without reloading, unless a modifier key requests a new tab or window. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? basePath + '/');
}

/** Returns the portal path of an organisation's page, such as orgRoute('acme', 'policy'). */
export function orgRoute(org: string, ...segments: string[]): string {
  return [basePath, 'orgs', org, ...segments].map((s, i) => (i < 2 ? s : encodeURIComponent(s))).join('/');
}

export type Route =
  | { page: 'login' }
  | { page: 'home' }
  | { page: 'overview' | 'usage' | 'troubleshooting' | 'policy'; org: string }
  | { page: 'session'; org: string; sessionId: string }
  | { page: 'unknown' };

/** Maps a path to a page. Paths are /portal/orgs/<org>/<page>[/<id>]. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.replace(/^\/portal\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) return { page: 'home' };
  if (parts.length === 1 && parts[0] === 'login') return { page: 'login' };
  const [orgs, org, page, id] = parts;
  if (orgs !== 'orgs' || org === undefined) return { page: 'unknown' };
  if (page === undefined) return { page: 'overview', org };
  if (parts.length === 3 && (page === 'overview' || page === 'usage' || page === 'troubleshooting' || page === 'policy')) return { page, org };
  if (parts.length === 4 && page === 'sessions' && id !== undefined) return { page: 'session', org, sessionId: id };
  return { page: 'unknown' };
}
