// strapi-live-store.d.ts: types of strapi-live-store.js
import type {
	Client,
	CollectionName,
	EntryOf,
	Pagination,
	QueryOf,
	Shaped,
	Status,
	StrapiLiveError,
} from "./strapi-live.js";

export interface LiveQueryState<T> {
	/** No result yet (and no initialData). */
	loading: boolean;
	/** The latest result (the page of the query), or initialData. */
	data: T[] | null;
	/** Set when the server refused the query; the query has ended. */
	error: StrapiLiveError | null;
	status: Status;
	/** Change sequence number of data (-1 before the first result). */
	seq: number;
	/** meta.pagination of the latest result (null before the first). */
	pagination: Pagination | null;
}

export interface LiveQueryOptions<T> {
	/** Default: the page's shared client (configure()). */
	client?: Client;
	/** What the page already shows: results at or before are skipped. */
	since?: number;
	/** The data shown until the first result (e.g. server-rendered). */
	initialData?: T[];
}

/** A Svelte-compatible store: subscribe(run) calls run at once. */
export interface LiveQueryStore<T> {
	subscribe(run: (state: LiveQueryState<T>) => void): () => void;
	get(): LiveQueryState<T>;
}

export function liveQuery<
	C extends CollectionName,
	const Q extends QueryOf<C> = QueryOf<C>
>(
	collection: C,
	query: Q | null,
	options?: LiveQueryOptions<Shaped<EntryOf<C>, Q>>
): LiveQueryStore<Shaped<EntryOf<C>, Q>>;
