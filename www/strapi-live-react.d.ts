// strapi-live-react.d.ts: types of strapi-live-react.js
import type {
	CollectionName,
	EntryOf,
	QueryOf,
	Shaped,
} from "./strapi-live.js";
import type { LiveQueryOptions, LiveQueryState } from "./strapi-live-store.js";

export type { LiveQueryOptions, LiveQueryState };

/** A live query in a React component: { loading, data, error, status, seq }. */
export function useLiveQuery<
	C extends CollectionName,
	const Q extends QueryOf<C> = QueryOf<C>
>(
	collection: C,
	query: Q | null,
	options?: LiveQueryOptions<Shaped<EntryOf<C>, Q>>
): LiveQueryState<Shaped<EntryOf<C>, Q>>;
