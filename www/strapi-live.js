// strapi-live.js: browser client for strapi-live (ES module, no dependencies)
//
//   import { subscribe } from "https://<host>/strapi-live/strapi-live.js";
//   const stop = subscribe("articles", { category: "tech" }, (list) => render(list));
//
// (or `npm install strapi-live-client-<version>.tgz` and
// `import { subscribe } from "strapi-live-client"`; see docs/client.md.)
//
// Live queries travel over one WebSocket per page (GET <live>/ws). When the
// WebSocket cannot be opened (blocked by a proxy, refused, or not open within
// a few seconds) the client falls back to Server-Sent Events: one EventSource
// per live query (<live>/query?...) and one for the raw change stream
// (<live>/events). Lost connections are retried fast at first (a restarted
// sidecar is back within seconds), then with exponential backoff, always
// with jitter; on every reconnect each query is re-subscribed (the server
// answers with the current result, so nothing is missed) and the raw stream
// resumes from the last sequence number seen. A "reset" (the resume point was
// trimmed from the server's log) makes every query refetch and tells raw-stream
// listeners to refetch what they keep. A query the server refuses (a 4xx)
// fails alone, through its onError, and is not retried.
//
// Without a sidecar, where the writers render static answers (docs/static.md),
// the client polls the change head (<api>/_live/head, If-None-Match: a 304
// from the web server while nothing changes) every pollInterval ms, reads
// the change pages it missed (<api>/_live/changes/<N>), delivers their
// changes as the raw stream would, and fetches again the live queries they
// touch. "auto" picks it when the WebSocket does not open, the sidecar does
// not answer (<live>/healthz) and the head names change pages;
// transport: "poll" forces it.

const WS_OPEN_TIMEOUT_MS = 4000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_FAST_MS = 1000; /* the gap between the first retries, at most */
const BACKOFF_FAST_TRIES = 10;
const BACKOFF_MAX_MS = 15000;
const IDLE_CLOSE_MS = 1000;
const POLL_INTERVAL_MS = 2000;

// Outside a page (Node, a worker without location) there is no default:
// the URLs must be given, else the client says so (see needBase).
function defaultBase(path) {
	if (typeof location === "undefined" || !location.href)
		return null;
	return new URL(path, location.href).href;
}

function withSlash(u) {
	if (u === null || u === undefined)
		return null;
	u = String(u);
	const q = u.indexOf("?");
	const path = q < 0 ? u : u.slice(0, q);
	const rest = q < 0 ? "" : u.slice(q);
	return (path.endsWith("/") ? path : path + "/") + rest;
}

function needBase(url, what) {
	if (url === null)
		throw new StrapiLiveError("strapi-live: no " + what + " URL " +
		    "outside a browser page: configure({ api, live }) with " +
		    "absolute URLs", undefined, "ConfigurationError");
	return url;
}

// An endpoint of the push sidecar: the live base's path + name, with the
// base's own query string kept (a token given there travels with every
// request) and the client's token added.
function liveURL(c, name, params) {
	const base = new URL(needBase(c.live, "live"));
	const u = new URL(name, base.href);
	u.search = "";
	for (const [k, v] of base.searchParams)
		u.searchParams.set(k, v);
	for (const [k, v] of params || [])
		u.searchParams.set(k, v);
	if (c.token)
		u.searchParams.set("token", c.token);
	return u;
}

// Keys passed through in Strapi's bracketed syntax (qs): populate (a
// string, an array or nested objects), fields (an array), filters.
const NESTED_KEYS = new Set(["populate", "fields", "filters"]);

// Sets value under name in Strapi's bracketed syntax:
// {author: {populate: ["avatar"]}} under "populate" is
// populate[author][populate][0]=avatar; fields: "title" is fields[0].
function setNested(p, name, v) {
	if (v === undefined || v === null)
		return;
	if (name === "fields" && !Array.isArray(v))
		v = [v];
	if (Array.isArray(v))
		v.forEach((x, i) => setNested(p, `${name}[${i}]`, x));
	else if (typeof v === "object")
		for (const [k, x] of Object.entries(v))
			setNested(p, `${name}[${k}]`, x);
	else
		p.set(name, String(v));
}

// Query parameters of the push protocol (SSE's URL, WebSocket's query).
function queryParams(query) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(query || {})) {
		if (v === undefined || v === null || v === "")
			continue;
		if (NESTED_KEYS.has(k))
			setNested(p, k, v);
		else
			p.set(k, String(v));
	}
	return p;
}

function liveParams(collection, query) {
	const p = queryParams(query);
	p.set("collection", collection);
	return p;
}

// Strapi REST syntax for the query endpoint (filters[..][$eq], pagination[..]).
function restParams(query) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(query || {})) {
		if (v === undefined || v === null || v === "")
			continue;
		if (k === "pageSize" || k === "page" || k === "start" ||
		    k === "limit")
			p.set(`pagination[${k}]`, String(v));
		else if (k === "cursor" || k === "sort" || k === "locale")
			p.set(k, String(v));
		else if (NESTED_KEYS.has(k))
			setNested(p, k, v);
		else
			p.set(`filters[${k}][$eq]`, String(v));
	}
	return p;
}

// The wait before retry number attempt (0 first): 250 ms, 500 ms, then at
// most 1 s for the first ten (a sidecar restarted by its supervisor is live
// again within about a second of its return), then doubling up to 15 s.
function backoffDelay(attempt) {
	const cap = attempt < BACKOFF_FAST_TRIES ?
	    Math.min(BACKOFF_FAST_MS, BACKOFF_BASE_MS * 2 ** attempt) :
	    Math.min(BACKOFF_MAX_MS,
		BACKOFF_FAST_MS * 2 ** (attempt - BACKOFF_FAST_TRIES + 1));
	// Full jitter: a random point in [cap/4, cap], so a restarted server
	// is not hit by every page at the same instant.
	return cap / 4 + Math.random() * (cap * 3) / 4;
}

export class StrapiLiveError extends Error {
	constructor(message, status, name, details) {
		super(message);
		this.name = "StrapiLiveError";
		this.status = status;
		this.errorName = name;
		this.details = details;
	}
}

// Strapi's error envelope {error: {status, name, message, details}} (the
// query endpoint's and the sidecar's) as a StrapiLiveError.
function errorFrom(body, status, fallback) {
	const e = (body && body.error) || {};
	return new StrapiLiveError(e.message || fallback || "HTTP " + status,
	    e.status || status, e.name, e.details);
}

// Whether the runtime has what a transport needs.
function transportAvailable(transport) {
	const ws = typeof WebSocket !== "undefined";
	const sse = typeof EventSource !== "undefined";
	if (transport === "poll")
		return typeof fetch !== "undefined";
	return transport === "ws" ? ws : transport === "sse" ? sse : ws || sse;
}

export class Client {
	constructor(options = {}) {
		this.subs = new Map(); // id -> subscription
		this.listeners = new Set(); // raw change listeners
		this.statusFns = new Set();
		this.nextId = 1;
		this.conn = null; // current transport connection
		this.attempt = 0;
		this.retryTimer = null;
		this.idleTimer = null;
		this.wsEverOpened = false;
		this.wsFailed = false;
		this.polling = false; // auto found only the static change head
		this.probing = false;
		this.lastSeq = 0; // highest sequence seen on any message
		this.state = { state: "idle", transport: null, attempt: 0, seq: 0 };
		this._apply(options);
		if (typeof window !== "undefined" && window.addEventListener)
			window.addEventListener("online", () => this._retryNow());
	}

	_apply(options) {
		this.api = withSlash(options.api || defaultBase("/api/"));
		this.live = withSlash(options.live || defaultBase("/live/"));
		// auto | ws | sse | poll
		this.transport = options.transport || "auto";
		// poll: the change head's URL and how often it is asked
		this.head = options.head || null;
		this.pollInterval = Number(options.pollInterval) > 0 ?
		    Number(options.pollInterval) : POLL_INTERVAL_MS;
		this.token = options.token || null; // push_token of the sidecar
		// A changed result may come as a patch of the last one (both
		// transports); false asks for whole results only.
		this.patches = options.patches !== false;
	}

	// ---- public API -------------------------------------------------

	// New options for a client in use: its subscriptions and change
	// listeners are kept, and reconnected with the new options.
	reconfigure(options = {}) {
		this._teardown();
		this._apply(options);
		this.attempt = 0;
		this.wsEverOpened = false;
		this.wsFailed = false;
		this.polling = false;
		if (this.subs.size > 0 || this.listeners.size > 0)
			this._connect();
		else
			this._setState("idle", null);
	}

	subscribe(collection, query, onResult, opts = {}) {
		this._check("subscribe", collection, onResult, "onResult");
		const since = opts && opts.since !== undefined &&
		    opts.since !== null ? Number(opts.since) : null;
		const sub = {
			id: "q" + this.nextId++,
			collection,
			query: { ...(query || {}) },
			onResult,
			onError: opts && opts.onError,
			// A result at or before `since` is what the caller
			// already shows: it is not delivered.
			since: Number.isFinite(since) ? since : null,
			seq: -1,
		};
		this.subs.set(sub.id, sub);
		this._need();
		if (this.conn)
			this.conn.addSub(sub);
		return () => {
			if (!this.subs.has(sub.id))
				return;
			this.subs.delete(sub.id);
			if (this.conn)
				this.conn.removeSub(sub);
			this._maybeIdle();
		};
	}

	changes(collection, onChange, opts = {}) {
		this._check("changes", collection, onChange, "onChange");
		const l = {
			collection,
			onChange,
			onReset: opts.onReset,
			onError: opts.onError,
			since: opts.since === undefined || opts.since === null ?
			    null : Number(opts.since),
		};
		this.listeners.add(l);
		const start = async () => {
			if (l.since === null) {
				// "From now": the query endpoint tells the
				// current sequence number.
				try {
					const r = await this.get(collection, {
						pageSize: 1,
					});
					l.since = Number(r.meta && r.meta.seq) || 0;
				} catch (e) {
					l.since = this.lastSeq;
				}
			}
			if (!this.listeners.has(l))
				return;
			this._need();
			if (this.conn)
				this.conn.addListener(l);
		};
		start();
		return () => {
			if (!this.listeners.delete(l))
				return;
			if (this.conn)
				this.conn.removeListener(l);
			this._maybeIdle();
		};
	}

	// A list: GET <api>/<collection>?filters...; with documentId, one
	// entry. Query keys: category, slug (filters), page, pageSize, start,
	// limit, cursor, sort, locale, fields (an array), populate and
	// filters (Strapi's, as nested objects), documentId.
	async get(collection, query = {}, init = {}) {
		const q = { ...(query || {}) };
		let url = needBase(this.api, "api") +
		    encodeURIComponent(collection);
		if (q.documentId) {
			url += "/" + encodeURIComponent(q.documentId);
			delete q.documentId;
		}
		return this._fetch(url, q, init);
	}

	// One entry by slug ({slug}) or by documentId ({documentId}); query
	// takes fields, populate and locale. A missing entry throws (404).
	async getOne(collection, key, query = {}, init = {}) {
		let url = needBase(this.api, "api") +
		    encodeURIComponent(collection) + "/";
		if (key && key.slug)
			url += "slug/" + encodeURIComponent(key.slug);
		else if (key && key.documentId)
			url += encodeURIComponent(key.documentId);
		else
			throw new TypeError("strapi-live: getOne(collection, " +
			    "{ slug } or { documentId }, query)");
		return this._fetch(url, { ...(query || {}) }, init);
	}

	async _fetch(url, q, init) {
		const p = restParams(q).toString();
		if (p)
			url += "?" + p;
		const r = await fetch(url, {
			headers: { Accept: "application/json" },
			...init,
		});
		let body = null;
		try {
			body = await r.json();
		} catch (e) {
			body = null;
		}
		if (!r.ok)
			throw errorFrom(body, r.status, r.statusText);
		const seq = Number(r.headers.get("X-Strapi-Live-Seq"));
		if (body && body.meta && body.meta.seq === undefined && seq)
			body.meta.seq = seq;
		if (body && body.meta && Number.isFinite(Number(body.meta.seq)))
			this._seen(Number(body.meta.seq));
		return body;
	}

	onStatus(fn) {
		this.statusFns.add(fn);
		fn(this.status());
		return () => this.statusFns.delete(fn);
	}

	// The connection state; seq is the newest change sequence this client
	// has seen (a result, a change, or an answer of get()).
	status() {
		return { ...this.state, seq: this.lastSeq };
	}

	close() {
		this.subs.clear();
		this.listeners.clear();
		this._teardown();
		this._setState("idle", null);
	}

	// ---- connection management ------------------------------------

	// Arguments of subscribe()/changes(), and a runtime that can stream.
	_check(what, collection, fn, fnName) {
		if (typeof collection !== "string" || collection === "")
			throw new TypeError(`strapi-live: ${what}(collection, ` +
			    `...): collection must be a collection name such ` +
			    `as "articles"`);
		if (typeof fn !== "function")
			throw new TypeError(`strapi-live: ${what}(): ` +
			    `${fnName} must be a function`);
		if (!transportAvailable(this.transport))
			throw new StrapiLiveError(`strapi-live: ${what}() needs ` +
			    `WebSocket or EventSource, which this runtime does ` +
			    `not have (a server-side render, Node): fetch with ` +
			    `get() there, and subscribe in the browser`,
			    undefined, "UnsupportedEnvironment");
		if (this.transport !== "poll")
			needBase(this.live, "live");
	}

	_setState(state, transport) {
		if (this.state.state === state &&
		    this.state.transport === transport &&
		    this.state.attempt === this.attempt)
			return;
		this.state = { state, transport, attempt: this.attempt,
			seq: this.lastSeq };
		for (const fn of this.statusFns) {
			try {
				fn(this.status());
			} catch (e) {
				console.error(e);
			}
		}
	}

	_need() {
		clearTimeout(this.idleTimer);
		this.idleTimer = null;
		if (this.conn === null && this.retryTimer === null &&
		    !this.probing)
			this._connect();
	}

	_maybeIdle() {
		if (this.subs.size > 0 || this.listeners.size > 0)
			return;
		// Close a little later, so that a page switching views does
		// not drop and reopen its socket.
		clearTimeout(this.idleTimer);
		this.idleTimer = setTimeout(() => {
			if (this.subs.size === 0 && this.listeners.size === 0) {
				this._teardown();
				this._setState("idle", null);
			}
		}, IDLE_CLOSE_MS);
	}

	_teardown() {
		clearTimeout(this.retryTimer);
		this.retryTimer = null;
		if (this.conn) {
			const c = this.conn;
			this.conn = null;
			c.close();
		}
	}

	_useWebSocket() {
		if (this.transport === "ws")
			return true;
		if (this.transport === "sse" || typeof WebSocket === "undefined")
			return false;
		if (typeof EventSource === "undefined")
			return true;
		return this.wsEverOpened || !this.wsFailed;
	}

	_connect() {
		this.retryTimer = null;
		if (this.subs.size === 0 && this.listeners.size === 0)
			return;
		const poll = this.transport === "poll" ||
		    (this.transport === "auto" && this.polling);
		const ws = !poll && this._useWebSocket();
		this._setState(this.attempt === 0 ? "connecting" :
		    "reconnecting", poll ? "poll" : ws ? "ws" : "sse");
		this.conn = poll ? new PollConn(this) :
		    ws ? new WsConn(this) : new SseConn(this);
		this.conn.start();
	}

	// The change head's URL: head, else <api>_live/head.
	_headURL() {
		return this.head || needBase(this.api, "api") + "_live/head";
	}

	// What the server offers when the WebSocket did not open: true
	// when the sidecar does not answer (its healthz, JSON) and the
	// change head names change pages; then the client polls.
	async _probe() {
		const json = async (url) => {
			try {
				const r = await fetch(url, {
					headers: { Accept: "application/json" },
					cache: "no-store",
				});
				const body = await r.json();
				return r.ok || r.status === 401 ||
				    r.status === 403 ? body : null;
			} catch (e) {
				return null;
			}
		};
		if (await json(liveURL(this, "healthz").href) !== null)
			return false;
		const h = await json(this._headURL());
		return h !== null && typeof h === "object" && h.changes !==
		    undefined && Number(h.changes.size) > 0;
	}

	// Called by a connection when it is usable.
	_opened(conn) {
		if (conn !== this.conn)
			return;
		this.attempt = 0;
		if (conn instanceof WsConn)
			this.wsEverOpened = true;
		this._setState("live", conn.kind);
	}

	// Called by a connection when it failed or closed.
	_failed(conn, beforeOpen) {
		if (conn !== this.conn)
			return;
		this.conn = null;
		conn.close();
		if (conn instanceof WsConn && beforeOpen && !this.wsEverOpened &&
		    this.transport === "auto" &&
		    typeof EventSource !== "undefined") {
			// The WebSocket never got through: SSE, or the
			// static change head when there is no sidecar.
			this.wsFailed = true;
			this.probing = true;
			this._setState("connecting", null);
			this._probe().then((poll) => {
				this.probing = false;
				this.polling = poll;
				if (this.conn === null && this.retryTimer === null)
					this._connect();
			});
			return;
		}
		if (conn instanceof SseConn)
			this.wsFailed = false; // next time, try WebSocket first
		this._schedule();
	}

	_schedule() {
		const delay = backoffDelay(this.attempt);
		this.attempt++;
		this._setState("reconnecting", null);
		clearTimeout(this.retryTimer);
		this.retryTimer = setTimeout(() => this._connect(), delay);
	}

	_retryNow() {
		if (this.retryTimer === null)
			return;
		clearTimeout(this.retryTimer);
		this._connect();
	}

	// ---- message dispatch (both transports) -----------------------

	_seen(seq) {
		if (Number.isFinite(seq) && seq > this.lastSeq)
			this.lastSeq = seq;
	}

	_result(sub, seq, data, pagination) {
		if (!this.subs.has(sub.id))
			return;
		seq = Number(seq);
		this._seen(seq);
		if (Number.isFinite(seq) && seq < sub.seq)
			return; // older than what was shown
		if (Number.isFinite(seq) && sub.since !== null && seq <= sub.since)
			return; // what the caller had at `since`
		sub.seq = Number.isFinite(seq) ? seq : sub.seq;
		try {
			sub.onResult(Array.isArray(data) ? data : [],
			    { seq: sub.seq, transport: this.state.transport,
				pagination: pagination || null });
		} catch (e) {
			console.error(e);
		}
	}

	// A result message of either transport: the whole result (data), or
	// a patch of the last one (base, patch: each element the index of an
	// entry of that result, or a new entry). Answers false for a patch of
	// a result this client does not hold (a gap): the caller then asks
	// for the whole result again, and patches are ignored until it comes.
	_resultMsg(sub, m) {
		let data = m.data;
		if (Array.isArray(m.patch)) {
			if (sub.resync)
				return true; // the whole result is on its way
			const last = sub.last;
			const ok = last && last.seq === m.base && m.patch.every(
			    (x) => typeof x !== "number" || (Number.isInteger(x) &&
				x >= 0 && x < last.data.length));
			if (!ok) {
				sub.resync = true;
				return false;
			}
			data = m.patch.map((x) => typeof x === "number" ?
			    last.data[x] : x);
		}
		// a single type's result is its entry (or null), as REST's
		// /api/<singular>: the entry list of one, as polling makes it
		data = Array.isArray(data) ? data : data &&
		    typeof data === "object" ? [data] : [];
		sub.resync = false;
		sub.last = { seq: m.seq, data };
		this._result(sub, m.seq, data, m.meta && m.meta.pagination);
		return true;
	}

	// The server refused the subscription: it ends (it is not retried),
	// and only its onError hears of it.
	_subError(sub, err) {
		if (!this.subs.delete(sub.id))
			return;
		if (this.conn)
			this.conn.dropSub(sub);
		this._report(sub.onError, err);
		this._maybeIdle();
	}

	// The raw change stream was refused: its listeners end.
	_listenError(err) {
		const ls = [...this.listeners];
		this.listeners.clear();
		for (const l of ls)
			this._report(l.onError, err);
		this._maybeIdle();
	}

	_report(onError, err) {
		try {
			if (onError)
				onError(err);
			else
				console.error("strapi-live:", err.message);
		} catch (e) {
			console.error(e);
		}
	}

	_change(ch) {
		const seq = Number(ch.seq);
		this._seen(seq);
		for (const l of this.listeners) {
			if (l.since === null || seq <= l.since)
				continue;
			l.since = seq;
			if (l.collection && ch.collection &&
			    l.collection !== ch.collection)
				continue;
			try {
				l.onChange(ch);
			} catch (e) {
				console.error(e);
			}
		}
	}

	// The server no longer has the changes after our resume point.
	_reset(seq) {
		seq = Number(seq);
		for (const l of this.listeners) {
			if (Number.isFinite(seq))
				l.since = seq;
			try {
				if (l.onReset)
					l.onReset({ seq });
				else
					l.onChange({ op: "reset", seq });
			} catch (e) {
				console.error(e);
			}
		}
		if (this.conn)
			this.conn.refetch();
	}
}

// One WebSocket carrying every subscription of the page.
class WsConn {
	constructor(client) {
		this.c = client;
		this.kind = "ws";
		this.ws = null;
		this.open = false;
		this.timer = null;
		this.closed = false;
	}

	start() {
		let u;
		try {
			u = liveURL(this.c, "ws");
			u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
			this.ws = new WebSocket(u.href);
		} catch (e) {
			queueMicrotask(() => this.c._failed(this, true));
			return;
		}
		this.timer = setTimeout(() => {
			if (!this.open)
				this.c._failed(this, true);
		}, WS_OPEN_TIMEOUT_MS);
		this.ws.onopen = () => {
			clearTimeout(this.timer);
			this.open = true;
			for (const sub of this.c.subs.values())
				this.addSub(sub);
			this._changes();
			this.c._opened(this);
		};
		this.ws.onmessage = (ev) => this._message(ev.data);
		this.ws.onclose = () => this.c._failed(this, !this.open);
		this.ws.onerror = () => {}; // onclose follows
	}

	_send(msg) {
		if (this.ws && this.ws.readyState === 1)
			this.ws.send(JSON.stringify(msg));
	}

	// Sent now when open; else onopen sends every subscription. A
	// changed result may come as a patch of the last one (servers that
	// do not know patches send whole results).
	addSub(sub) {
		sub.last = null;
		this._send({ type: "subscribe", id: sub.id,
			collection: sub.collection,
			query: Object.fromEntries(queryParams(sub.query)),
			patch: this.c.patches });
	}

	removeSub(sub) {
		this._send({ type: "unsubscribe", id: sub.id });
	}

	dropSub() {} // refused: the server holds nothing for it

	_changes() {
		let since = null;
		for (const l of this.c.listeners)
			if (l.since !== null && (since === null || l.since < since))
				since = l.since;
		if (since !== null)
			this._send({ type: "changes", since });
	}

	addListener() {
		this._changes();
	}

	removeListener() {}

	refetch() {
		for (const sub of this.c.subs.values())
			this.addSub(sub);
	}

	_message(text) {
		let m;
		try {
			m = JSON.parse(text);
		} catch (e) {
			return;
		}
		if (m === null || typeof m !== "object")
			return;
		const sub = m.id !== undefined ? this.c.subs.get(m.id) : null;
		switch (m.type) {
		case "result":
			if (sub && !this.c._resultMsg(sub, m)) {
				// A gap: subscribe again for the whole result.
				this.removeSub(sub);
				this.addSub(sub);
			}
			break;
		case "error": {
			// Older servers send only the message: a refused
			// subscription is a 400, as over SSE.
			const err = new StrapiLiveError(
			    m.message || "subscription error", m.status || 400,
			    m.name || "ValidationError", m.details);
			if (sub && err.status >= 500) // the store: ask again
				setTimeout(() => {
					if (this.c.subs.has(sub.id) &&
					    this.c.conn === this)
						this.addSub(sub);
				}, backoffDelay(1));
			else if (sub)
				this.c._subError(sub, err);
			else
				console.error("strapi-live:", err.message);
			break;
		}
		case "reset":
			this.c._reset(m.seq);
			break;
		default:
			if (m.op === "reset")
				this.c._reset(m.seq);
			else if (m.op !== undefined && m.seq !== undefined)
				this.c._change(m);
		}
	}

	close() {
		this.closed = true;
		clearTimeout(this.timer);
		if (this.ws) {
			this.ws.onopen = this.ws.onmessage = null;
			this.ws.onclose = this.ws.onerror = null;
			try {
				this.ws.close();
			} catch (e) {
				/* already closed */
			}
		}
		this.open = false;
	}
}

// Server-Sent Events: one EventSource per live query, one for raw changes.
// Each stream starts as soon as it is asked for, and the state is "live"
// only while every stream is open. A stream the server refuses (EventSource
// closes for good) is asked again with fetch() for its status: a 4xx fails
// that subscription alone (its onError gets the server's status and error
// name) and is not retried; anything else is a lost connection. EventSource's
// own reconnection is not used: on a lost stream the whole connection is
// closed and the client's backoff takes over, so that every stream resumes
// from the sequence the client has actually seen.
class SseConn {
	constructor(client) {
		this.c = client;
		this.kind = "sse";
		this.open = false;
		this.sources = new Map(); // sub id or "changes" -> stream
		this.closed = false;
	}

	start() {
		for (const sub of this.c.subs.values())
			this.addSub(sub);
		this._changes();
		this._state();
	}

	// Tells the client what is connected.
	_state() {
		if (this.closed)
			return;
		let pending = 0;
		for (const s of this.sources.values())
			if (!s.open)
				pending++;
		if (this.sources.size > 0 && pending === 0) {
			this.open = true;
			this.c._opened(this);
		} else if (this.sources.size === 0 && this.c.subs.size === 0 &&
		    this.c.listeners.size === 0)
			this.c._setState("idle", null);
		else
			this.c._setState(this.c.attempt === 0 ? "connecting" :
			    "reconnecting", "sse");
	}

	_watch(key, url, handlers, onRefused) {
		let es;
		try {
			es = new EventSource(url.href);
		} catch (e) {
			queueMicrotask(() => this.c._failed(this, true));
			return;
		}
		const s = { es, url, open: false };
		this.sources.set(key, s);
		es.onopen = () => {
			if (this.sources.get(key) !== s)
				return;
			s.open = true;
			this._state();
		};
		es.onerror = () => {
			if (this.closed || this.sources.get(key) !== s)
				return;
			if (es.readyState === 2) { // CLOSED: refused
				es.close();
				s.open = false;
				this._refused(key, s, onRefused);
			} else {
				this.c._failed(this, !this.open);
			}
		};
		for (const [ev, fn] of Object.entries(handlers))
			es.addEventListener(ev, (e) => {
				let d;
				try {
					d = JSON.parse(e.data);
				} catch (x) {
					return;
				}
				fn(d, e);
			});
	}

	// Why the server refused a stream: its answer, asked again.
	async _refused(key, s, onRefused) {
		const ac = typeof AbortController !== "undefined" ?
		    new AbortController() : null;
		let err = null;
		try {
			const r = await fetch(s.url.href, {
				headers: { Accept: "text/event-stream" },
				signal: ac ? ac.signal : undefined,
			});
			if (r.status >= 400 && r.status < 500 && r.status !== 408 &&
			    r.status !== 429) {
				let body = null;
				try {
					body = await r.json();
				} catch (e) {
					body = null;
				}
				err = errorFrom(body, r.status, r.statusText);
			}
		} catch (e) {
			err = null; // unreachable: a lost connection
		}
		if (ac)
			ac.abort();
		if (this.closed || this.sources.get(key) !== s)
			return;
		if (err === null) {
			this.c._failed(this, !this.open);
			return;
		}
		this.sources.delete(key);
		onRefused(err);
		this._state();
	}

	addSub(sub) {
		if (this.sources.has(sub.id) || this.closed)
			return;
		const params = liveParams(sub.collection, sub.query);
		const patch = this.c.patches && !sub.noSsePatch;
		if (patch)
			params.set("patch", "1");
		sub.last = null;
		this._watch(sub.id, liveURL(this.c, "query", params), {
			result: (d) => {
				if (!this.c._resultMsg(sub, d)) {
					// A gap: a new stream starts with the
					// whole result.
					this.dropSub(sub);
					this.addSub(sub);
				}
			},
			error: (d) => this.c._subError(sub, errorFrom(d, 400,
			    d && d.message)),
		}, (err) => {
			if (patch && err.status === 400) {
				// A server older than patches over SSE refuses
				// the parameter: ask it for whole results.
				sub.noSsePatch = true;
				this.addSub(sub);
			} else
				this.c._subError(sub, err);
		});
		this._state();
	}

	removeSub(sub) {
		this.dropSub(sub);
		this._state();
	}

	dropSub(sub) {
		const s = this.sources.get(sub.id);
		if (s) {
			s.es.close();
			this.sources.delete(sub.id);
		}
	}

	_changes() {
		let since = null;
		for (const l of this.c.listeners)
			if (l.since !== null && (since === null || l.since < since))
				since = l.since;
		const old = this.sources.get("changes");
		if (since === null) {
			if (old) {
				old.es.close();
				this.sources.delete("changes");
			}
			return;
		}
		if (old && this.changesSince !== undefined &&
		    this.changesSince <= since)
			return;
		if (old)
			old.es.close();
		this.changesSince = since;
		const raw = (d) => this.c._change(d);
		this._watch("changes", liveURL(this.c, "events",
		    [["lastEventId", String(since)]]), {
			upsert: raw,
			remove: raw,
			change: raw,
			reset: (d) => this.c._reset(d && d.seq),
		}, (err) => this.c._listenError(err));
	}

	addListener() {
		this._changes();
		this._state();
	}

	removeListener() {
		if (this.c.listeners.size === 0)
			this._changes();
		this._state();
	}

	refetch() {
		for (const sub of this.c.subs.values()) {
			this.dropSub(sub);
			this.addSub(sub);
		}
	}

	close() {
		this.closed = true;
		for (const s of this.sources.values())
			s.es.close();
		this.sources.clear();
		this.open = false;
	}
}

// Polling the static change head (docs/static.md): no daemon, no stream.
// Each round asks for the head with If-None-Match; when its seq is past
// the last one seen, the change pages from there are read and each change
// delivered to the raw-stream listeners, and every live query of a
// changed type (or with populate) is fetched again, its result delivered
// when it differs. A page no longer kept (404), or one that does not
// start where the client stopped, is a reset: every query is fetched
// again and listeners hear onReset, as from the SSE stream's "reset".
class PollConn {
	constructor(client) {
		this.c = client;
		this.kind = "poll";
		this.open = false;
		this.closed = false;
		this.timer = null;
		this.busy = false;
		this.again = false;
		this.etag = null;
		this.head = null; // the last head read
		this.cursor = null; // the last seq delivered
		this.stale = new Set(); // subscriptions to fetch
	}

	start() {
		for (const sub of this.c.subs.values())
			this.stale.add(sub);
		this._tick();
	}

	// A round now (or right after the one running).
	_kick() {
		if (this.busy) {
			this.again = true;
			return;
		}
		clearTimeout(this.timer);
		this._tick();
	}

	async _tick() {
		if (this.closed)
			return;
		this.timer = null;
		this.busy = true;
		try {
			do {
				this.again = false;
				await this._round();
			} while (this.again && !this.closed);
		} catch (e) {
			this.busy = false;
			if (!this.closed)
				this.c._failed(this, !this.open);
			return;
		}
		this.busy = false;
		if (this.closed)
			return;
		if (!this.open) {
			this.open = true;
			this.c._opened(this);
		}
		this.timer = setTimeout(() => this._tick(), this.c.pollInterval);
	}

	async _get(url, headers) {
		const r = await fetch(url, {
			headers: { Accept: "application/json", ...headers },
			cache: "no-store",
		});
		if (r.status !== 200 && r.status !== 304 && r.status !== 404)
			throw new StrapiLiveError("HTTP " + r.status, r.status);
		return r;
	}

	async _round() {
		const r = await this._get(this.c._headURL(),
		    this.etag ? { "If-None-Match": this.etag } : {});
		if (r.status === 404)
			throw new StrapiLiveError("no change head", 404);
		if (r.status === 200) {
			const head = await r.json();
			if (!Number.isFinite(Number(head && head.seq)))
				throw new StrapiLiveError("bad change head");
			this.head = head;
			this.etag = r.headers.get("ETag");
		}
		const seq = Number(this.head.seq);
		if (this.cursor === null) {
			// From the listeners' resume point, else from now.
			this.cursor = seq;
			for (const l of this.c.listeners)
				if (l.since !== null && l.since < this.cursor)
					this.cursor = l.since;
		}
		if (seq < this.cursor) // another store: start again
			this._resetTo(seq);
		else if (seq > this.cursor)
			await this._catchUp(seq);
		this.c._seen(this.cursor);
		await this._refresh();
	}

	_resetTo(seq) {
		this.cursor = seq;
		this.c._reset(seq); // calls refetch()
	}

	async _catchUp(seq) {
		const ch = this.head.changes;
		const size = ch ? Number(ch.size) : 0;
		if (!(size > 0)) {
			this._resetTo(seq);
			return;
		}
		const base = this.c._headURL();
		for (let p = Math.floor(this.cursor / size);
		    p <= Math.floor((seq - 1) / size) && !this.closed; p++) {
			if (p < Number(ch.first)) {
				this._resetTo(seq);
				return;
			}
			const r = await this._get(new URL("changes/" + p,
			    new URL(base, typeof location !== "undefined" &&
				location.href ? location.href : undefined)).href);
			const page = r.status === 200 ? await r.json() : null;
			const recs = page && Array.isArray(page.data) ?
			    page.data : null;
			const want = this.cursor + 1;
			if (recs === null || (want > p * size && (recs.length ===
			    0 || Number(recs[0].seq) > want))) {
				this._resetTo(seq);
				return;
			}
			for (const rec of recs) {
				const s = Number(rec.seq);
				if (!(s > this.cursor) || s > seq)
					continue;
				this.cursor = s;
				this._touch(rec.collection);
				this.c._change(rec);
			}
		}
	}

	// The live queries a change to collection may change.
	_touch(collection) {
		for (const sub of this.c.subs.values())
			if (sub.collection === collection ||
			    (sub.query && sub.query.populate !== undefined))
				this.stale.add(sub);
	}

	async _refresh() {
		for (const sub of [...this.stale]) {
			if (this.closed)
				return;
			this.stale.delete(sub);
			if (!this.c.subs.has(sub.id))
				continue;
			let body;
			try {
				body = await this.c.get(sub.collection,
				    sub.query);
			} catch (e) {
				if (e.status >= 400 && e.status < 500 &&
				    e.status !== 408 && e.status !== 429) {
					this.c._subError(sub, e);
					continue;
				}
				this.stale.add(sub); // the next round
				throw e;
			}
			const data = Array.isArray(body && body.data) ?
			    body.data : body && body.data ? [body.data] : [];
			const text = JSON.stringify(data);
			if (sub.pollText === text)
				continue;
			sub.pollText = text;
			this.c._resultMsg(sub, { seq: body.meta && body.meta.seq,
				data, meta: body.meta });
		}
	}

	addSub(sub) {
		sub.last = null;
		sub.pollText = undefined;
		this.stale.add(sub);
		if (this.open)
			this._kick();
	}

	removeSub(sub) {
		this.stale.delete(sub);
	}

	dropSub(sub) {
		this.stale.delete(sub);
	}

	addListener(l) {
		if (this.cursor !== null && l.since !== null &&
		    l.since < this.cursor) {
			this.cursor = l.since; // its changes are read again
			this._kick();
		}
	}

	removeListener() {}

	refetch() {
		for (const sub of this.c.subs.values()) {
			sub.pollText = undefined;
			this.stale.add(sub);
		}
	}

	close() {
		this.closed = true;
		clearTimeout(this.timer);
		this.open = false;
	}
}

let defaultClient = null;
let defaultOptions = {};

// Sets the options of the page's shared client: { api, live, transport,
// token, head, pollInterval }. Called after subscriptions exist, it keeps them: they reconnect
// with the new options.
export function configure(options) {
	defaultOptions = { ...options };
	if (defaultClient !== null)
		defaultClient.reconfigure(defaultOptions);
}

export function client() {
	if (defaultClient === null)
		defaultClient = new Client(defaultOptions);
	return defaultClient;
}

export function subscribe(collection, query, onResult, opts) {
	return client().subscribe(collection, query, onResult, opts);
}

export function changes(collection, onChange, opts) {
	return client().changes(collection, onChange, opts);
}

export function get(collection, query, init) {
	return client().get(collection, query, init);
}

export function getOne(collection, key, query, init) {
	return client().getOne(collection, key, query, init);
}

export function onStatus(fn) {
	return client().onStatus(fn);
}
