// app/page.jsx
import { Client } from "strapi-live-client";
import LiveArticles from "./live-articles.jsx";

export const dynamic = "force-dynamic";

export default async function Page() {
	const sl = new Client({ api: "http://127.0.0.1:8080/api/" });
	const initial = await sl.get("articles", { category: "tech", sort: "publishedAt:desc" });
	return <LiveArticles initial={initial} />;
}
