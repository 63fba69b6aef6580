// The portal's entry point: the session, the page for the URL, and the navigation by role.
// The operator picks any organisation. Org admins and auditors are fixed to their own, and
// auditors get no buttons that change anything.

import './styles.css';

import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';

import { loadSession, logOut, unauthenticatedEvent, withQuery, type Admin, type Session } from './api';
import { ErrorMessage, Field, Link, Loading } from './components';
import { useApiData, usePageTitle } from './hooks';
import { LoginPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { PolicyPage } from './pages/Policy';
import { SessionTimelinePage } from './pages/SessionTimeline';
import { TroubleshootingPage } from './pages/Troubleshooting';
import { UsagePage } from './pages/Usage';
import { basePath, navigate, orgRoute, parseRoute, useUrl, type Route } from './router';
import type { Org } from './types';

const lastOrgKey = 'parley.lastOrg';
const loginPath = `${basePath}/login`;

const pages = [
  { page: 'overview', label: 'Overview' },
  { page: 'usage', label: 'Usage report' },
  { page: 'troubleshooting', label: 'Troubleshooting' },
  { page: 'policy', label: 'Policy' },
] as const;

const roleNames: Record<Admin['role'], string> = { operator: 'operator', org_admin: 'org admin', auditor: 'auditor (read-only)' };

/** Returns a portal path from ?next=, or undefined for anything else, so that a link cannot send the browser off the portal. */
function safeNext(next: string | null): string | undefined {
  return next !== null && next.startsWith(`${basePath}/`) && !next.startsWith(loginPath) && !next.includes('//') ? next : undefined;
}

function OrgPicker({ org, orgs, page }: { org: string | undefined; orgs: Org[]; page: string }) {
  const [choice, setChoice] = useState(org ?? orgs[0]?.id ?? '');
  useEffect(() => setChoice(org ?? orgs[0]?.id ?? ''), [org, orgs]);
  const open = (event: FormEvent) => {
    event.preventDefault();
    if (choice) navigate(orgRoute(choice, page === 'session' ? 'troubleshooting' : page));
  };
  return (
    <form className="org-picker" onSubmit={open}>
      <Field label="Organisation">
        {(id) => (
          <select id={id} name="org" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.id})
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit">Open</button>
    </form>
  );
}

function Header({ admin, route, org, orgs, onLogout }: { admin: Admin; route: Route; org: string | undefined; orgs: Org[] | undefined; onLogout: () => void }) {
  const current = 'org' in route ? route.page : undefined;
  return (
    <header className="topbar">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <p className="brand">Parley portal</p>
      {org ? (
        <nav aria-label="Main" className="main-nav">
          <ul>
            {pages.map(({ page, label }) => (
              <li key={page}>
                <Link to={orgRoute(org, page)} current={current === page || (page === 'troubleshooting' && current === 'session')}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div className="account">
        {admin.role === 'operator' ? (
          orgs ? <OrgPicker org={org} orgs={orgs} page={current ?? 'overview'} /> : null
        ) : (
          <p className="fixed-org">
            Organisation: <strong>{orgs?.find((o) => o.id === admin.orgId)?.name ?? admin.orgId}</strong>
          </p>
        )}
        <p className="who">
          {admin.email} <span className="role">{roleNames[admin.role]}</span>
        </p>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </div>
    </header>
  );
}

function NotFoundPage({ message, homeOrg }: { message: string; homeOrg: string | undefined }) {
  usePageTitle('Not found');
  return (
    <main id="content">
      <h1 tabIndex={-1}>Not found</h1>
      <p className="notice notice-error" role="alert">
        {message}
      </p>
      {homeOrg ? (
        <p>
          <Link to={orgRoute(homeOrg, 'overview')}>Go to the overview of {homeOrg}</Link>
        </p>
      ) : null}
    </main>
  );
}

function Portal({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const url = useUrl();
  const route = parseRoute(url.pathname);
  const { admin } = session;
  const orgs = useApiData<{ orgs: Org[] }>('/api/v1/orgs');
  const routeOrg = 'org' in route ? route.org : undefined;
  const homeOrg = admin.orgId ?? sessionStorage.getItem(lastOrgKey) ?? orgs.data?.orgs[0]?.id;

  // Org admins and auditors have one organisation. Any other is not found, as the API's 404 has it too.
  const forbiddenOrg = admin.orgId !== null && routeOrg !== undefined && routeOrg !== admin.orgId;
  const unknownOrg = admin.orgId === null && routeOrg !== undefined && orgs.data !== undefined && !orgs.data.orgs.some((o) => o.id === routeOrg);
  const navOrg = forbiddenOrg || unknownOrg ? homeOrg : (routeOrg ?? homeOrg);

  useEffect(() => {
    if (admin.orgId === null && routeOrg !== undefined && !unknownOrg) sessionStorage.setItem(lastOrgKey, routeOrg);
  }, [admin.orgId, routeOrg, unknownOrg]);

  useEffect(() => {
    if (route.page === 'home' && homeOrg !== undefined) navigate(orgRoute(homeOrg, 'overview'), { replace: true });
    if (route.page === 'login') navigate(safeNext(url.searchParams.get('next')) ?? (homeOrg !== undefined ? orgRoute(homeOrg, 'overview') : `${basePath}/`), { replace: true });
  }, [route.page, homeOrg, url.searchParams]);

  const canChange = admin.role !== 'auditor';
  const home = homeOrg ?? null;
  let page;
  if (forbiddenOrg || unknownOrg) page = <NotFoundPage message={`No organisation ${routeOrg}.`} homeOrg={homeOrg} />;
  else if (route.page === 'overview') page = <OverviewPage key={route.org} org={route.org} homeOrg={home} />;
  else if (route.page === 'usage') page = <UsagePage key={route.org} org={route.org} homeOrg={home} />;
  else if (route.page === 'troubleshooting') page = <TroubleshootingPage key={route.org} org={route.org} homeOrg={home} canChange={canChange} />;
  else if (route.page === 'policy') page = <PolicyPage key={route.org} org={route.org} homeOrg={home} canChange={canChange} />;
  else if (route.page === 'session') page = <SessionTimelinePage key={`${route.org}/${route.sessionId}`} org={route.org} sessionId={route.sessionId} homeOrg={home} />;
  else if (route.page === 'unknown') page = <NotFoundPage message={`The portal has no page at ${url.pathname}.`} homeOrg={homeOrg} />;
  else if (orgs.error) {
    page = (
      <main id="content">
        <h1 tabIndex={-1}>Parley portal</h1>
        <ErrorMessage error={orgs.error} />
      </main>
    );
  } else {
    page = (
      <main id="content">
        <Loading what="your organisations" />
      </main>
    );
  }

  return (
    <>
      <Header admin={admin} route={route} org={navOrg} orgs={orgs.data?.orgs} onLogout={onLogout} />
      {page}
    </>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string>();
  const url = useUrl();

  useEffect(() => {
    const ended = () => {
      setSession(null);
      setNotice('Your session has ended or expired. Log in again.');
    };
    window.addEventListener(unauthenticatedEvent, ended);
    return () => window.removeEventListener(unauthenticatedEvent, ended);
  }, []);

  // Without a session every URL shows the login page, and ?next= brings the admin back after it.
  const onLoginPage = url.pathname === loginPath;
  useEffect(() => {
    if (session === null && !onLoginPage) {
      const requested = url.pathname + url.search;
      navigate(withQuery(loginPath, { next: requested === `${basePath}/` ? undefined : requested }), { replace: true });
    }
  }, [session, onLoginPage, url]);

  if (session === null) {
    return (
      <LoginPage
        notice={notice}
        onLogin={(created) => {
          setNotice(undefined);
          setSession(created);
        }}
      />
    );
  }

  const logout = () => {
    void logOut()
      .catch(() => undefined)
      .finally(() => {
        sessionStorage.removeItem(lastOrgKey);
        setSession(null);
        setNotice('You are logged out.');
        navigate(loginPath);
      });
  };
  return <Portal session={session} onLogout={logout} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
