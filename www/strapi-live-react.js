// strapi-live-react.js: useLiveQuery, a React hook over a live query
//
//   import { useLiveQuery } from "strapi-live-client/react";
//   const { loading, data, error, status } = useLiveQuery("articles",
//       { category: "tech" });
//
// React 18 or later (useSyncExternalStore), imported as "react": a bundler
// (Vite, Next.js) or an import map resolves it. The subscription starts on
// mount, follows the collection and query (compared by value), and stops on
// unmount; on a server-side render the hook answers { loading: true } (or
// options.initialData) and opens nothing.

import { useMemo, useSyncExternalStore } from "react";
import { liveQuery } from "./strapi-live-store.js";

const serverState = (initialData) => ({
	loading: initialData === undefined,
	data: initialData === undefined ? null : initialData,
	error: null,
	status: { state: "idle", transport: null, attempt: 0, seq: 0 },
	seq: -1,
	pagination: null,
});

/**
 * useLiveQuery(collection, query, options) -> { loading, data, error,
 * status, seq, pagination }. options: client, since, initialData (see liveQuery).
 */
export function useLiveQuery(collection, query, options = {}) {
	const key = JSON.stringify([collection, query || null,
		options.since === undefined ? null : options.since]);
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const store = useMemo(() => liveQuery(collection, query, options),
	    [key, options.client]);
	const ssr = useMemo(() => serverState(options.initialData), [store]);
	return useSyncExternalStore(store.subscribe, store.get, () => ssr);
}
