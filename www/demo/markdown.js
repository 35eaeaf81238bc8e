// markdown.js: a small, safe Markdown subset -> HTML string
//
// Safety comes from the order of work: the whole source is HTML-escaped
// first, so nothing in the content can open a tag or an attribute; only the
// tags written below are ever produced. Links are kept only for http(s) URLs
// (no javascript:, data:, or relative tricks) and open with rel=noopener.
//
// Supported: # headings, paragraphs, **strong**, *em* / _em_, `code`,
// ``` fenced code ```, - / * / 1. lists, > quotes, [text](http://url).

export function escapeHtml(s) {
	return String(s)
	    .replace(/&/g, "&amp;")
	    .replace(/</g, "&lt;")
	    .replace(/>/g, "&gt;")
	    .replace(/"/g, "&quot;")
	    .replace(/'/g, "&#39;");
}

// Inline markup on already-escaped text.
function inline(s) {
	const codes = [];
	// Code spans first, so their content is not formatted further.
	s = s.replace(/`([^`]+)`/g, (m, c) => {
		codes.push(c);
		return "\u0000" + (codes.length - 1) + "\u0000";
	});
	s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, text, url) => {
		if (!/^https?:\/\/[^\s]+$/i.test(url))
			return text;
		return `<a href="${url}" rel="noopener noreferrer nofollow">` +
		    text + "</a>";
	});
	s = s.replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "<strong>$1</strong>");
	s = s.replace(/\*(?=\S)([^*]*?\S)\*/g, "<em>$1</em>");
	s = s.replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, "$1<em>$2</em>");
	s = s.replace(/\u0000(\d+)\u0000/g, (m, i) =>
	    "<code>" + codes[Number(i)] + "</code>");
	return s;
}

export function renderMarkdown(src) {
	const lines = escapeHtml(src == null ? "" : src)
	    .replace(/\u0000/g, "")
	    .replace(/\r\n?/g, "\n")
	    .split("\n");
	const out = [];
	let para = [];
	let list = null; // { tag, items }
	let quote = [];

	const flushPara = () => {
		if (para.length)
			out.push("<p>" + inline(para.join(" ")) + "</p>");
		para = [];
	};
	const flushList = () => {
		if (list)
			out.push(`<${list.tag}>` + list.items.map((i) =>
			    "<li>" + inline(i) + "</li>").join("") +
			    `</${list.tag}>`);
		list = null;
	};
	const flushQuote = () => {
		if (quote.length)
			out.push("<blockquote><p>" + inline(quote.join(" ")) +
			    "</p></blockquote>");
		quote = [];
	};
	const flush = () => {
		flushPara();
		flushList();
		flushQuote();
	};

	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		let m;
		if (/^```/.test(line)) {
			flush();
			const code = [];
			for (i++; i < lines.length && !/^```/.test(lines[i]); i++)
				code.push(lines[i]);
			out.push("<pre><code>" + code.join("\n") +
			    "</code></pre>");
			continue;
		}
		if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
			flush();
			const n = m[1].length;
			out.push(`<h${n}>` + inline(m[2]) + `</h${n}>`);
			continue;
		}
		if ((m = /^\s*[-*+]\s+(.*)$/.exec(line))) {
			flushPara();
			flushQuote();
			if (!list || list.tag !== "ul") {
				flushList();
				list = { tag: "ul", items: [] };
			}
			list.items.push(m[1]);
			continue;
		}
		if ((m = /^\s*\d+[.)]\s+(.*)$/.exec(line))) {
			flushPara();
			flushQuote();
			if (!list || list.tag !== "ol") {
				flushList();
				list = { tag: "ol", items: [] };
			}
			list.items.push(m[1]);
			continue;
		}
		if ((m = /^&gt;\s?(.*)$/.exec(line))) {
			flushPara();
			flushList();
			quote.push(m[1]);
			continue;
		}
		if (/^\s*$/.test(line)) {
			flush();
			continue;
		}
		flushList();
		flushQuote();
		para.push(line.trim());
	}
	flush();
	return out.join("\n");
}
