// app/live-articles.jsx
"use client";
import { configure } from "strapi-live-client";
import { useLiveQuery } from "strapi-live-client/react";

configure({ api: "http://127.0.0.1:8080/api/", live: "http://127.0.0.1:8080/live/" });

export default function LiveArticles({ initial }) {
	const { data } = useLiveQuery("articles", { category: "tech", sort: "publishedAt:desc" },
		{ initialData: initial.data, since: initial.meta.seq });
	return <ul>{data.map((a) => <li key={a.documentId}>{a.title}</li>)}</ul>;
}
