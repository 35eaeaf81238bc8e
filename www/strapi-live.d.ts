// strapi-live.d.ts: types of the strapi-live browser client (strapi-live.js)
//
// Collections are typed by `strapi-live gen-types`, which writes a file that
// augments the `Collections` and `Queries` interfaces below:
//
//   strapi-live gen-types -o www/strapi-live-collections.d.ts
//
// With it, subscribe("articles", ...) hands your callback `Article[]`, and a
// typo in a field name or collection is a compile error. Without it, any
// collection name is accepted and entries are `Entry`.

/** Fields every stored entry has, whatever the collection. */
export interface Entry {
	id: number;
	documentId: string;
	createdAt: string;
	updatedAt: string;
	publishedAt: string;
	locale?: string | null;
	[field: string]: unknown;
}

/** Collection plural -> entry type. Filled in by `strapi-live gen-types`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Collections {}

/** Collection plural -> query type. Filled in by `strapi-live gen-types`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Queries {}

/**
 * Single type (singular name) -> its type. Filled in by `strapi-live
 * gen-types` from a Strapi schema (schema_dir).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SingleTypes {}

/** One size of an image in StrapiFile.formats. */
export interface StrapiFileFormat {
	name: string;
	hash: string;
	ext: string;
	mime: string;
	path: string | null;
	width: number;
	height: number;
	size: number;
	sizeInBytes?: number;
	url: string;
}

/** A media file (Strapi's upload.file), as REST answers it. */
export interface StrapiFile {
	id: number;
	documentId: string;
	name: string;
	alternativeText: string | null;
	caption: string | null;
	focalPoint: { x: number; y: number } | null;
	width: number | null;
	height: number | null;
	/** thumbnail, small, medium, large: the sizes Strapi made. */
	formats: Record<string, StrapiFileFormat> | null;
	hash: string;
	ext: string;
	mime: string;
	/** In kB. */
	size: number;
	/** Relative ("/uploads/...") with the local provider. */
	url: string;
	previewUrl: string | null;
	provider: string;
	provider_metadata: unknown;
	createdAt: string;
	updatedAt: string;
	publishedAt: string;
	/** Only in /api/upload/files answers. */
	isUrlSigned?: boolean;
}

/** One node of a `blocks` (rich text) attribute. */
export interface StrapiBlock {
	type: string;
	[key: string]: unknown;
}

/**
 * The keys of T that an answer has only when populated (relations, media,
 * components, dynamic zones, localizations).
 */
export type PopulateKey<T> = {
	[K in keyof T]-?: {} extends Pick<T, K> ? K : never;
}[keyof T];

/**
 * T as Strapi answers it with these keys populated: they are present
 * (a to-one relation or a single media may still be null).
 * Populated<Article, "author" | "cover"> is what `populate[0]=author&
 * populate[1]=cover` answers; Populated<Article> is `populate=*`.
 */
export type Populated<T, K extends PopulateKey<T> = PopulateKey<T>> = T &
	Required<Pick<T, K>>;

/**
 * T as `fields[0]=...` answers it: the keys K, and id and documentId,
 * which Strapi always sends.
 */
export type Fields<T, K extends keyof T> = Pick<
	T,
	Extract<keyof T, "id" | "documentId"> | K
>;

/** T with to-many relations K asked as `populate[K][count]=true`. */
export type Counted<T, K extends PopulateKey<T>> = Omit<T, K> & {
	[P in K]: { count: number };
};

/** The element of a relation, media, component or zone value. */
type ElemOf<V> = NonNullable<V> extends readonly (infer U)[] ? U : NonNullable<V>;
/** U in the place of V's element: an array, nullable, or one. */
type WrapAs<V, U> = NonNullable<V> extends readonly unknown[]
	? U[]
	: null extends V
	? U | null
	: U;
/** T has an index signature (Entry, no generated types): left as it is. */
type Open<T> = string extends keyof T ? true : false;

/** The scalar fields of T that `fields` may name. */
export type FieldName<T> = Exclude<Extract<keyof T, string>, PopulateKey<T>>;

/** What `populate` may say of one attribute whose element is T. */
export type PopulateSpec<T> =
	| true
	| "*"
	| {
			populate?: PopulateParam<T>;
			fields?: readonly FieldName<T>[];
			/** A to-many relation's count of published rows. */
			count?: true;
			/** A dynamic zone's components, by uid. */
			on?: Record<string, unknown>;
	  };

/**
 * The `populate` of a query of T, as Strapi takes it: `"*"`, a key, keys,
 * or an object with one PopulateSpec per key (nested as deep as needed).
 */
export type PopulateParam<T> =
	| "*"
	| PopulateKey<T>
	| readonly PopulateKey<T>[]
	| { [K in PopulateKey<T>]?: PopulateSpec<ElemOf<T[K]>> };

/** The keys of T a populate P fills. */
type PopulatedKeys<T, P> = P extends "*"
	? PopulateKey<T>
	: P extends string
	? Extract<P, PopulateKey<T>>
	: P extends readonly (infer K)[]
	? Extract<K, PopulateKey<T>>
	: Extract<keyof P, PopulateKey<T>>;

/** One populated value V as spec S asks it. */
type PopulatedValue<V, S> = S extends { count: true }
	? { count: number }
	: S extends { populate: unknown } | { fields: readonly unknown[] }
	? WrapAs<V, Shaped<ElemOf<V>, S>>
	: Exclude<V, undefined>;

/**
 * An entry of T as a query Q answers it: `fields` keeps those fields (and
 * id, documentId), `populate` fills its keys, each as its spec says
 * (nested populate, fields, count). Without either, T.
 * `Shaped<Article, { populate: { author: { populate: ["avatar"] } } }>`
 * has `author: (Author & { avatar: StrapiFile | null }) | null`.
 */
export type Shaped<T, Q> = T extends unknown
	? Open<T> extends true
		? T
		: ShapedOne<T, Q>
	: never;
/** Shaped, for one type (a dynamic zone's union is shaped member by member). */
type ShapedOne<T, Q> = Q extends { populate: infer P }
	? Omit<Based<T, Q>, PopulatedKeys<T, P>> & {
			[K in PopulatedKeys<T, P>]-?: P extends string | readonly unknown[]
				? Exclude<T[K], undefined>
				: PopulatedValue<T[K], P[K & keyof P]>;
	  }
	: Based<T, Q>;
/** T, or the fields Q keeps of it. */
type Based<T, Q> = Q extends { fields: readonly (infer F)[] }
	? Fields<T, Extract<F, keyof T>>
	: T;

/**
 * A live query: its category or slug, Strapi's filters (as nested objects:
 * { title: { $containsi: "x" } }) and sort, as REST takes them, and a
 * page: page and pageSize, or start and limit (as REST's pagination[...]).
 */
export interface BaseQuery {
	category?: string;
	slug?: string;
	filters?: Record<string, unknown>;
	sort?: string;
	page?: number;
	pageSize?: number;
	start?: number;
	limit?: number;
}

/** meta.pagination of a list: page/pageSize/pageCount, or start/limit. */
export interface Pagination {
	page?: number;
	pageSize?: number;
	pageCount?: number;
	start?: number;
	limit?: number;
	total: number;
	nextCursor?: string | null;
}

export type CollectionName = keyof Collections extends never
	? string
	: Extract<keyof Collections, string>;

export type EntryOf<C extends string> = C extends keyof Collections
	? Collections[C]
	: Entry;

export type QueryOf<C extends string> = C extends keyof Queries
	? Queries[C]
	: BaseQuery;

export interface ResultInfo {
	/** Change sequence number the result reflects. */
	seq: number;
	/** Transport that delivered it. */
	transport: "ws" | "sse" | "poll" | null;
	/** meta.pagination of the page, as REST answers it (total, ...). */
	pagination: Pagination | null;
}

export type Unsubscribe = () => void;

export interface SubscribeOptions {
	/**
	 * Called when the server refuses the query (unknown collection, bad
	 * filter: status 400, errorName "ValidationError"; no or a wrong
	 * token: 401). The subscription then ends, alone, and is not retried.
	 */
	onError?: (error: StrapiLiveError) => void;
	/**
	 * The sequence number of what the page already shows (a REST
	 * answer's meta.seq): results at or before it are not delivered, the
	 * first one delivered holds every change made after it.
	 */
	since?: number;
}

/** A raw change from the change log. */
export interface Change<C extends string = string> {
	seq: number;
	op: "upsert" | "remove";
	collection: C;
	documentId: string;
	locale?: string | null;
	/** The published entry after an upsert; absent or null after a remove. */
	entry?: EntryOf<C> | null;
}

/** Delivered instead of a change when the resume point was trimmed. */
export interface ResetNotice {
	op: "reset";
	seq: number;
}

export interface ChangesOptions {
	/** Resume after this sequence number (default: from now on). */
	since?: number;
	/** The server no longer has the changes since `since`: refetch. */
	onReset?: (info: { seq: number }) => void;
	onError?: (error: StrapiLiveError) => void;
}

/** Strapi's REST list envelope, as served by query.fcgi. */
export interface ListResponse<T> {
	data: T[];
	meta: {
		pagination?: Pagination;
		seq?: number;
	};
}

export interface SingleResponse<T> {
	data: T;
	meta: Record<string, unknown>;
}

export type ConnectionState =
	| "idle"
	| "connecting"
	| "live"
	| "reconnecting";

export interface Status {
	/** "live" only while every stream the client needs is open. */
	state: ConnectionState;
	transport: "ws" | "sse" | "poll" | null;
	/** Reconnection attempts since the last time it was live. */
	attempt: number;
	/**
	 * The newest change sequence number this client has seen (a result,
	 * a change, or a get() answer); current when status() is called.
	 */
	seq: number;
}

export interface ClientOptions {
	/** Base URL of the query endpoint (default: "/api/" of the page's origin). */
	api?: string;
	/** Base URL of the push sidecar (default: "/live/" of the page's origin). */
	live?: string;
	/** "auto" (WebSocket, SSE fallback, polling without a sidecar), "ws", "sse" or "poll". */
	transport?: "auto" | "ws" | "sse" | "poll";
	/** poll: the change head's URL (default <api>_live/head). */
	head?: string;
	/** poll: milliseconds between two reads of the change head (2000). */
	pollInterval?: number;
	/** The sidecar's push_token, sent as ?token= on every live request. */
	token?: string;
	/**
	 * A changed result may travel as a patch of the last one, over
	 * WebSocket and SSE (default true); false asks for whole results.
	 */
	patches?: boolean;
}

/** Keys of getOne(): fields, populate and locale of the collection's query. */
export type OneQuery<C extends string> = Pick<
	QueryOf<C> & GetQuery,
	"fields" | "locale" | "populate"
>;

/** Keys of get() besides the filters. */
export interface GetQuery {
	page?: number;
	cursor?: string;
	sort?: "publishedAt:desc" | "publishedAt:asc";
	locale?: string;
	/** Only these fields (id and documentId always). */
	fields?: readonly string[];
	/** Strapi's populate: "*", keys, or nested objects (PopulateParam). */
	populate?: unknown;
	/** Strapi's filters, as nested objects ({ slug: { $eq: "x" } }). */
	filters?: Record<string, unknown>;
}

/** The same on every transport and on get(): Strapi's error fields. */
export class StrapiLiveError extends Error {
	/** HTTP status (400, 401, 404, ...). */
	status?: number;
	/** Strapi's error name ("ValidationError", "UnauthorizedError", ...;
	 * "UnsupportedEnvironment" / "ConfigurationError" from the client). */
	errorName?: string;
	details?: unknown;
}

export class Client {
	constructor(options?: ClientOptions);
	subscribe<
		C extends CollectionName,
		const Q extends QueryOf<C> = QueryOf<C>
	>(
		collection: C,
		query: Q | null,
		onResult: (data: Shaped<EntryOf<C>, Q>[], info: ResultInfo) => void,
		options?: SubscribeOptions
	): Unsubscribe;
	changes<C extends CollectionName>(
		collection: C,
		onChange: (change: Change<C> | ResetNotice) => void,
		options?: ChangesOptions
	): Unsubscribe;
	get<
		C extends CollectionName,
		const Q extends QueryOf<C> & GetQuery = QueryOf<C> & GetQuery
	>(
		collection: C,
		query: Q,
		init?: RequestInit
	): Promise<ListResponse<Shaped<EntryOf<C>, Q>>>;
	get<C extends CollectionName>(
		collection: C,
		query: { documentId: string },
		init?: RequestInit
	): Promise<SingleResponse<EntryOf<C>>>;
	getOne<
		C extends CollectionName,
		const Q extends OneQuery<C> = OneQuery<C>
	>(
		collection: C,
		key: { slug: string } | { documentId: string },
		query?: Q,
		init?: RequestInit
	): Promise<SingleResponse<Shaped<EntryOf<C>, Q>>>;
	onStatus(fn: (status: Status) => void): Unsubscribe;
	status(): Status;
	/** New options; subscriptions and listeners are kept and reconnect. */
	reconfigure(options: ClientOptions): void;
	close(): void;
}

/**
 * Options of the shared client. Called after subscriptions exist, it keeps
 * them: they reconnect with the new options.
 */
export function configure(options: ClientOptions): void;
export function client(): Client;

/**
 * Calls onResult with the current result of the query, then again after
 * every change that touches it. Returns a function that stops it.
 */
export function subscribe<
	C extends CollectionName,
	const Q extends QueryOf<C> = QueryOf<C>
>(
	collection: C,
	query: Q | null,
	onResult: (data: Shaped<EntryOf<C>, Q>[], info: ResultInfo) => void,
	options?: SubscribeOptions
): Unsubscribe;

/** The raw change stream of a collection. */
export function changes<C extends CollectionName>(
	collection: C,
	onChange: (change: Change<C> | ResetNotice) => void,
	options?: ChangesOptions
): Unsubscribe;

/** One-off fetch from the query endpoint. */
export function get<
	C extends CollectionName,
	const Q extends QueryOf<C> & GetQuery = QueryOf<C> & GetQuery
>(
	collection: C,
	query?: Q,
	init?: RequestInit
): Promise<ListResponse<Shaped<EntryOf<C>, Q>>>;
export function get<C extends CollectionName>(
	collection: C,
	query: { documentId: string },
	init?: RequestInit
): Promise<SingleResponse<EntryOf<C>>>;

/** One entry by slug or documentId (404: throws, status 404). */
export function getOne<
	C extends CollectionName,
	const Q extends OneQuery<C> = OneQuery<C>
>(
	collection: C,
	key: { slug: string } | { documentId: string },
	query?: Q,
	init?: RequestInit
): Promise<SingleResponse<Shaped<EntryOf<C>, Q>>>;

/** Connection state changes (called at once with the current state). */
export function onStatus(fn: (status: Status) => void): Unsubscribe;
