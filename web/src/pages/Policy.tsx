// The organisation's federation policy (GET .../policy), and blocking or unblocking one
// partner domain by PUTting the whole policy back with only that domain's `allow` changed.

import { useState, type FormEvent } from 'react';

import { api, ApiError, orgPath } from '../api';
import { ErrorMessage, Field, Loading } from '../components';
import { useApiData, usePageTitle } from '../hooks';
import { withDomainBlocked, withDomainUnblocked } from '../policy-edit';
import type { DomainRules, Policy } from '../types';

const modeText: Record<Policy['mode'], string> = {
  open: 'Open: federates with every partner domain.',
  allow_list: 'Allow list: federates only with the partner domains listed with allow: true.',
  block_list: 'Block list: federates with every partner domain except those listed with allow: false.',
};

export function PolicyPage({ org, homeOrg, canChange }: { org: string; homeOrg: string | null; canChange: boolean }) {
  usePageTitle(`Federation policy of ${org}`);
  const loaded = useApiData<Policy>(orgPath(org, 'policy'));
  const [saved, setSaved] = useState<Policy>();
  const [domain, setDomain] = useState('');
  const [status, setStatus] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState(false);
  const policy = saved ?? loaded.data;

  const save = async (next: Policy, done: string) => {
    setBusy(true);
    setStatus(undefined);
    try {
      setSaved(await api<Policy>('PUT', orgPath(org, 'policy'), { body: next }));
      setStatus({ text: done });
      return true;
    } catch (error) {
      setStatus({ text: error instanceof ApiError ? error.message : String(error), error: true });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const block = async (event: FormEvent) => {
    event.preventDefault();
    if (!policy) return;
    const name = domain.trim().toLowerCase();
    if (await save(withDomainBlocked(policy, name), `Blocked ${name}. The hub applies the policy from the next event.`)) setDomain('');
  };

  const blocked = policy ? Object.entries(policy.domains).filter(([, rules]: [string, DomainRules]) => rules.allow === false).map(([name]) => name).sort() : [];

  return (
    <main id="content">
      <h1 tabIndex={-1}>Federation policy of {org}</h1>
      {loaded.error ? <ErrorMessage error={loaded.error} homeOrg={homeOrg} /> : null}
      {!policy && !loaded.error ? <Loading what="the policy" /> : null}
      {policy ? (
        <>
          <section className="panel" aria-labelledby="blocking">
            <h2 id="blocking">Blocked partner domains</h2>
            <p>
              Mode: <strong>{policy.mode}</strong>. {modeText[policy.mode]}
            </p>
            <div aria-live="polite">
              {status ? <p className={status.error ? 'notice notice-error' : 'notice'}>{status.text}</p> : null}
            </div>
            {blocked.length === 0 ? (
              <p>No partner domain is blocked.</p>
            ) : (
              <ul className="blocked-list" aria-label="Blocked partner domains">
                {blocked.map((name) => (
                  <li key={name}>
                    <span>{name}</span>
                    {canChange ? (
                      <button type="button" disabled={busy} onClick={() => void save(withDomainUnblocked(policy, name), `Unblocked ${name}. The hub applies the policy from the next event.`)} aria-label={`Unblock ${name}`}>
                        Unblock
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {canChange ? (
              <form className="filters" onSubmit={block} aria-label="Block a partner domain">
                <Field label="Partner domain to block">
                  {(id) => (
                    <input id={id} name="domain" required value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="partner.example" aria-describedby="block-help" />
                  )}
                </Field>
                <div className="filter-actions">
                  <button type="submit" className="danger" disabled={busy}>
                    Block domain
                  </button>
                </div>
                <p id="block-help" className="help">
                  {policy.mode === 'allow_list'
                    ? 'The policy stays an allow list; the domain is listed with allow: false. Other settings are kept.'
                    : 'The policy becomes a block list with this domain listed as allow: false. Other settings are kept.'}{' '}
                  The hub applies it from the next event: messages with the domain are not delivered and both sides get a notice.
                </p>
              </form>
            ) : (
              <p className="help">Auditors may read the policy but not change it.</p>
            )}
          </section>
          <section className="panel" aria-labelledby="policy-json">
            <h2 id="policy-json">Policy as JSON</h2>
            <p className="help">As stored on the hub, with defaults filled in. The admin guide&apos;s &quot;Federation policy&quot; section explains each setting.</p>
            <pre className="json" tabIndex={0} aria-labelledby="policy-json">
              {JSON.stringify(policy, null, 2)}
            </pre>
          </section>
        </>
      ) : null}
    </main>
  );
}
