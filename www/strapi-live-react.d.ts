// strapi-live-react.d.ts: types of strapi-live-react.js
import type { CollectionName, EntryOf, QueryOf } from "./strapi-live.js";
import type { LiveQueryOptions, LiveQueryState } from "./strapi-live-store.js";

export type { LiveQueryOptions, LiveQueryState };

/** A live query in a React component: { loading, data, error, status, seq }. */
export function useLiveQuery<C extends CollectionName>(
	collection: C,
	query: QueryOf<C> | null,
	options?: LiveQueryOptions<EntryOf<C>>
): LiveQueryState<EntryOf<C>>;
