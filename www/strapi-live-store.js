// strapi-live-store.js: a live query as a framework-free store (ES module)
//
//   import { liveQuery } from "strapi-live-client/store";
//   const articles = liveQuery("articles", { category: "tech" });
//   const stop = articles.subscribe((s) => render(s.loading, s.data, s.error));
//
// The store follows the Svelte store contract (subscribe(run) calls run at
// once with the current value, returns the function that stops it), so
// Svelte's $articles works as is; Vue can copy it into a ref; React reads
// it with useSyncExternalStore (see strapi-live-react.js). The live query
// runs while the store has at least one subscriber.

import { client as sharedClient } from "./strapi-live.js";

/**
 * liveQuery(collection, query, options): a store of
 * { loading, data, error, status, seq, pagination }. options: client (default: the
 * page's shared client), since and initialData (what the page already
 * shows, e.g. from a server-side render: no "loading", and results at or
 * before since are not delivered again).
 */
export function liveQuery(collection, query, options = {}) {
	const c = options.client || sharedClient();
	const runs = new Set();
	let stopSub = null;
	let stopStatus = null;
	let value = {
		loading: options.initialData === undefined,
		data: options.initialData === undefined ? null : options.initialData,
		error: null,
		status: c.status(),
		seq: options.since === undefined ? -1 : Number(options.since),
		pagination: null,
	};

	function set(patch) {
		value = { ...value, ...patch };
		for (const run of runs)
			run(value);
	}

	function start() {
		stopStatus = c.onStatus((status) => set({ status }));
		try {
			stopSub = c.subscribe(collection, query, (data, info) =>
			    set({ loading: false, data, error: null,
				    seq: info.seq, pagination: info.pagination }), {
				since: options.since,
				onError: (error) => set({ loading: false, error }),
			});
		} catch (error) {
			stopSub = null;
			set({ loading: false, error });
		}
	}

	function stop() {
		if (stopSub)
			stopSub();
		if (stopStatus)
			stopStatus();
		stopSub = stopStatus = null;
	}

	return {
		subscribe(run) {
			runs.add(run);
			if (runs.size === 1)
				start();
			run(value);
			return () => {
				if (runs.delete(run) && runs.size === 0)
					stop();
			};
		},
		get: () => value,
	};
}
