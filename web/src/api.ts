// The admin API client: JSON over fetch on the same origin, the CSRF token on every change,
// and a 401 from any call except the login itself ends the session in the portal.

export type Role = 'operator' | 'org_admin' | 'auditor';

export interface Admin {
  email: string;
  role: Role;
  /** The admin's organisation, or null for the operator, who may read every organisation. */
  orgId: string | null;
}

export interface Session {
  csrfToken: string;
  admin: Admin;
}

/** A failed API call, with the status and the `message` the API returned. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const sessionKey = 'parley.session';
/** Fired on window when a call returns 401, so that the app shows the login page. */
export const unauthenticatedEvent = 'parley:unauthenticated';

export function loadSession(): Session | null {
  const stored = sessionStorage.getItem(sessionKey);
  if (stored === null) return null;
  try {
    const session = JSON.parse(stored) as Session;
    return typeof session.csrfToken === 'string' && typeof session.admin?.email === 'string' ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(sessionKey);
  else sessionStorage.setItem(sessionKey, JSON.stringify(session));
}

export type Query = Record<string, string | number | undefined | null>;

/** Builds `path?query`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Returns the API path of an organisation route, such as orgPath('acme', 'dead-letters', id, 'retry'). */
export function orgPath(org: string, ...segments: string[]): string {
  return ['/api/v1/orgs', org, ...segments].map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

/** Sends one API request and returns its JSON body. Throws ApiError with the API's message. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrfToken = loadSession()?.csrfToken;
    if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  }

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', `The hub did not respond to ${method} ${path}: check that it is running, then try again.`);
  }

  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;

  const error = body as { error?: string; message?: string } | undefined;
  const message = error?.message ?? `${method} ${path} failed with HTTP ${response.status}.`;
  const isLogin = method === 'POST' && path === '/api/v1/session';
  if (response.status === 401 && !isLogin) {
    saveSession(null);
    window.dispatchEvent(new Event(unauthenticatedEvent));
  }
  throw new ApiError(response.status, error?.error ?? 'http_error', message);
}

export async function logIn(email: string, password: string, code: string): Promise<Session> {
  const session = await api<Session>('POST', '/api/v1/session', { body: { email, password, code } });
  saveSession(session);
  return session;
}

/** Ends the session on the hub. The portal clears its copy even when the call fails. */
export async function logOut(): Promise<void> {
  try {
    await api('DELETE', '/api/v1/session');
  } finally {
    saveSession(null);
  }
}
