// Login with email, password and a TOTP or recovery code (POST /api/v1/session).

import { useState, type FormEvent } from 'react';

import { ApiError, logIn, type Session } from '../api';
import { Field } from '../components';
import { usePageTitle } from '../hooks';

export function LoginPage({ onLogin, notice }: { onLogin: (session: Session) => void; notice?: string | undefined }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  usePageTitle('Log in');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await logIn(email.trim(), password, code.trim()));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
      // A TOTP code works once, so the next try needs a new one.
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="content" className="login">
      <h1 tabIndex={-1}>Log in to the Parley portal</h1>
      {notice && !error ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} className="stack">
        <Field label="Email">
          {(id) => (
            <input id={id} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password">
          {(id) => (
            <input id={id} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <Field label="Code">
          {(id) => (
            <input
              id={id}
              name="code"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-describedby="code-help"
            />
          )}
        </Field>
        <p id="code-help" className="help">
          The 6-digit code from your authenticator app, or one of your recovery codes. Each code works once.
        </p>
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
