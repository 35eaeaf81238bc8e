// app.js: the live blog demo on strapi-live.js (no framework, no build step)
//
// Routes (in the hash, so any static web server can serve the page):
//   #/                 all articles, newest first
//   #/category/<name>  one category
//   #/article/<slug>   one article
// Page options in the query string: ?transport=ws|sse|auto, ?api=URL,
// ?live=URL (defaults: /api/ and /live/ on this origin).

import { configure, subscribe, onStatus, get } from "../strapi-live.js";
import { renderMarkdown } from "./markdown.js";

const COLLECTION = "articles";
const CATEGORIES = ["all", "tech", "design", "ops"];
const COUNT_PAGE = 100;

const params = new URLSearchParams(location.search);
configure({
	transport: params.get("transport") || "auto",
	api: params.get("api") || undefined,
	live: params.get("live") || undefined,
});

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null)
			continue;
		if (k === "class")
			e.className = v;
		else if (k.startsWith("data-") || k === "href" || k === "datetime" ||
		    k === "aria-pressed" || k === "type")
			e.setAttribute(k, v);
		else
			e[k] = v;
	}
	for (const c of children)
		if (c !== null && c !== undefined)
			e.append(c); // strings become text nodes: never HTML
	return e;
}

function fmtDate(iso) {
	const d = new Date(iso);
	return isNaN(d) ? "" : d.toLocaleString(undefined,
	    { dateStyle: "medium", timeStyle: "short" });
}

// ---- layout: connection state and live count ----------------------------

onStatus((s) => {
	const st = $("#status");
	const how = s.transport === "ws" ? "WebSocket" :
	    s.transport === "sse" ? "SSE" : "";
	const text = {
		idle: "idle",
		connecting: "connecting…",
		live: `live · ${how}`,
		reconnecting: "reconnecting…",
	}[s.state] || s.state;
	st.textContent = text;
	st.dataset.state = s.state;
	st.dataset.transport = s.transport || "";
});

let countSeq = -1;
subscribe(COLLECTION, { pageSize: COUNT_PAGE }, async (data, info) => {
	let n = data.length;
	if (n >= COUNT_PAGE) {
		// More than one page: the query endpoint knows the total.
		try {
			const r = await get(COLLECTION, { pageSize: 1 });
			n = r.meta.pagination.total;
		} catch (e) {
			/* keep the lower bound */
		}
	}
	if (info.seq < countSeq)
		return;
	countSeq = info.seq;
	const c = $("#count");
	c.dataset.count = String(n);
	c.textContent = `${n} ${n === 1 ? "article" : "articles"} published`;
}, { onError: (e) => showError(e) });

function showError(e) {
	const box = $("#error");
	box.textContent = e.message;
	box.hidden = false;
}

// ---- views -----------------------------------------------------------------

let stop = null;

function categoryNav(active) {
	const nav = $("#categories");
	nav.replaceChildren(...CATEGORIES.map((c) => {
		const b = el("button", {
			type: "button",
			"data-category": c,
			"aria-pressed": String(c === active),
		}, c);
		b.addEventListener("click", () => {
			location.hash = c === "all" ? "#/" : `#/category/${c}`;
		});
		return b;
	}));
	nav.hidden = false;
}

function listView(category) {
	categoryNav(category || "all");
	const view = $("#view");
	const list = el("ul", { id: "list", class: "articles" });
	view.replaceChildren(el("p", { class: "loading" }, "Loading…"));
	document.title = category ? `${category} · Live blog` : "Live blog";
	let shown = null; // documentId -> updatedAt|publishedAt shown
	stop = subscribe(COLLECTION, category ? { category } : {},
	    (articles, info) => {
		const now = new Map(articles.map((a) =>
		    [a.documentId, `${a.updatedAt}|${a.publishedAt}`]));
		const changed = (a) => shown !== null &&
		    shown.get(a.documentId) !== now.get(a.documentId);
		shown = now;
		list.dataset.seq = String(info.seq);
		list.replaceChildren(...articles.map((a) => el("li", {
			class: changed(a) ? "article changed" : "article",
			"data-document-id": a.documentId,
			"data-slug": a.slug,
			"data-category": a.category,
		},
		el("a", { href: `#/article/${encodeURIComponent(a.slug ?? "")}` },
		    el("h2", { class: "title" }, a.title ?? "(untitled)")),
		el("p", { class: "meta" },
		    el("span", { class: "category" }, a.category ?? ""), " · ",
		    el("time", { datetime: a.publishedAt }, fmtDate(a.publishedAt))),
		el("p", { class: "excerpt" }, a.excerpt ?? ""))));
		if (articles.length === 0)
			view.replaceChildren(el("p", { class: "empty" },
			    "No articles yet."), list);
		else
			view.replaceChildren(list);
	}, { onError: showError });
}

function articleView(slug) {
	$("#categories").hidden = true;
	const view = $("#view");
	view.replaceChildren(el("p", { class: "loading" }, "Loading…"));
	stop = subscribe(COLLECTION, { slug }, (data) => {
		const a = data[0];
		if (a === undefined) {
			document.title = "Not found · Live blog";
			view.replaceChildren(el("div", { class: "not-found" },
			    el("h1", {}, "Article not found"),
			    el("p", {}, "It may have been unpublished. ",
				el("a", { href: "#/" }, "Back to the list"))));
			return;
		}
		document.title = `${a.title} · Live blog`;
		const body = el("div", { class: "content" });
		body.innerHTML = renderMarkdown(a.content); // escaped first
		view.replaceChildren(el("article", {
			id: "article",
			"data-document-id": a.documentId,
		},
		el("p", {}, el("a", { href: "#/" }, "← all articles")),
		el("h1", { class: "title" }, a.title ?? "(untitled)"),
		el("p", { class: "meta" },
		    el("span", { class: "category" }, a.category ?? ""), " · ",
		    el("time", { datetime: a.publishedAt }, fmtDate(a.publishedAt))),
		body));
	}, { onError: showError });
}

function route() {
	if (stop) {
		stop();
		stop = null;
	}
	$("#error").hidden = true;
	const h = location.hash.replace(/^#/, "");
	let m;
	if ((m = /^\/article\/(.+)$/.exec(h)))
		articleView(decodeURIComponent(m[1]));
	else if ((m = /^\/category\/([^/]+)$/.exec(h)))
		listView(decodeURIComponent(m[1]));
	else
		listView(null);
}

window.addEventListener("hashchange", route);
route();
