// Loading API data into components.

import { useCallback, useEffect, useState } from 'react';

import { api, ApiError, withQuery, type Query } from './api';
import { hasNavigated } from './router';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads the same URL again, such as after a change. */
  reload: () => void;
}

/** GETs `path` with `query` whenever either changes. A null path loads nothing. */
export function useApiData<T>(path: string | null, query: Query = {}): Loaded<T> {
  const url = path === null ? null : withQuery(path, query);
  const [state, setState] = useState<{ url: string | null; data?: T; error?: ApiError }>({ url: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (url === null) return;
    const controller = new AbortController();
    api<T>('GET', url, { signal: controller.signal }).then(
      (data) => setState({ url, data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ url, error: error instanceof ApiError ? error : new ApiError(0, 'client_error', String(error)) });
      },
    );
    return () => controller.abort();
  }, [url, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = state.url === url;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: url !== null && !current,
    reload,
  };
}

/**
 * Sets the document title. After a change of page inside the app it also moves focus to the
 * page's h1, so that keyboard and screen reader users start on the new page, as they do
 * after a full page load.
 */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Parley portal`;
    if (hasNavigated()) document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [title]);
}
