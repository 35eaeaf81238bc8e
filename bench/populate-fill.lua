-- populate-fill.lua: wrk script filling a store with Strapi's blog template
-- model through webhook.fcgi: FILL_AUTHORS authors, FILL_CATEGORIES
-- categories, then FILL_ARTICLES articles, each entry.publish shaped like
-- tests/fixtures/strapi5-rich/09-entry.create.article.json (a cover, an
-- author, a category and a dynamic zone of rich-text, quote, media and
-- slider), the media among FILL_FILES files (their rows come from the
-- copies the articles embed, as with Strapi). Delivery k of the run goes
-- to thread k % threads; a thread stops once its share is answered, and
-- what it sends after that repeats its last delivery (stored: unchanged).
-- FILL_THREADS must be wrk's -t; FILL_DONE names a file the threads mark
-- as they finish. Prints "FILL <answered> <non-200> <seconds>".
local N_AUTH = tonumber(os.getenv("FILL_AUTHORS") or "200")
local N_CAT = tonumber(os.getenv("FILL_CATEGORIES") or "10")
local N_ART = tonumber(os.getenv("FILL_ARTICLES") or "1000")
local N_FILE = tonumber(os.getenv("FILL_FILES") or "1000")
local secret = os.getenv("FILL_SECRET") or "bench-secret"
local done_file = os.getenv("FILL_DONE") or "fill.done"
local TOTAL = N_AUTH + N_CAT + N_ART
local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads - 1)
end

-- answered and bad are globals: done() reads them with thread:get.
local nthreads, next_k, share = 1, 0, 0
local probed = false
answered, bad = 0, 0

function init(args)
	nthreads = tonumber(os.getenv("FILL_THREADS") or "1")
	next_k = tid
	share = 0
	for k = tid, TOTAL - 1, nthreads do
		share = share + 1
	end
end

local T0 = 1767225600 -- 2026-01-01T00:00:00Z

local function ts(sec)
	return os.date("!%Y-%m-%dT%H:%M:%S", T0 + sec) .. ".000Z"
end

local function did(prefix, n)
	return string.format("%s%023d", prefix, n)
end

local function fmt(name, hash, w, h, size)
	return string.format('{"name":"%s_%s","hash":"%s_%s","ext":".png",' ..
		'"mime":"image/png","path":null,"width":%d,"height":%d,' ..
		'"size":%.2f,"sizeInBytes":%d,"url":"/uploads/%s_%s.png"}',
		name, hash, name, hash, w, h, size / 1000, size, name, hash)
end

-- File f (1..N_FILE) as Strapi embeds it; odd ones with four formats.
local function file(f)
	local hash = string.format("file_%d_%010x", f, f * 2654435761 % 4294967296)
	local formats = "null"
	if f % 2 == 1 then
		formats = '{"thumbnail":' .. fmt("thumbnail", hash, 245, 138, 2048) ..
			',"large":' .. fmt("large", hash, 1000, 563, 13575) ..
			',"medium":' .. fmt("medium", hash, 750, 422, 8978) ..
			',"small":' .. fmt("small", hash, 500, 281, 4989) .. '}'
	end
	local t = ts(f)
	return string.format('{"id":%d,"documentId":"%s","name":"file-%d.png",' ..
		'"alternativeText":"File %d","caption":"Caption %d",' ..
		'"focalPoint":null,"width":1200,"height":675,"formats":%s,' ..
		'"hash":"%s","ext":".png","mime":"image/png","size":6.07,' ..
		'"url":"/uploads/%s.png","previewUrl":null,"provider":"local",' ..
		'"provider_metadata":null,"createdAt":"%s","updatedAt":"%s",' ..
		'"publishedAt":"%s"}', f, did("f", f), f, f, f, formats, hash,
		hash, t, t, t)
end

local function author(a, full)
	local t = ts(2000 + a)
	local s = string.format('{"id":%d,"documentId":"%s","name":"Author %d",' ..
		'"email":"author%d@example.test","createdAt":"%s",' ..
		'"updatedAt":"%s","publishedAt":"%s"', a, did("a", a), a, a, t, t, t)
	if full then
		s = s .. ',"avatar":' .. file((a - 1) % N_FILE + 1) .. ',"articles":[]'
	end
	return s .. "}"
end

local function category(c, full)
	local t = ts(3000 + c)
	local s = string.format('{"id":%d,"documentId":"%s","name":"Category %d",' ..
		'"slug":"category-%d","description":"Articles of category %d",' ..
		'"createdAt":"%s","updatedAt":"%s","publishedAt":"%s",' ..
		'"locale":"en"', c, did("c", c), c, c, c, t, t, t)
	if full then
		s = s .. ',"articles":[]'
	end
	return s .. "}"
end

local function article(i)
	local t = ts(10000 + i)
	return string.format('{"id":%d,"documentId":"%s",' ..
		'"title":"Article %d","description":"Summary of article %d, ' ..
		'with relations, media and a dynamic zone.","slug":"article-%06d",' ..
		'"createdAt":"%s","updatedAt":"%s","publishedAt":"%s",' ..
		'"locale":"en","cover":%s,"author":%s,"category":%s,"blocks":[' ..
		'{"id":%d,"body":"# Article %d\\n\\nSome **Markdown** with a ' ..
		'[link](https://example.com).\\n\\n- one\\n- two\\n",' ..
		'"__component":"shared.rich-text"},' ..
		'{"id":%d,"title":"A quote","body":"Mirrors keep reads local.",' ..
		'"__component":"shared.quote"},' ..
		'{"id":%d,"file":%s,"__component":"shared.media"},' ..
		'{"id":%d,"files":[%s,%s],"__component":"shared.slider"}]}',
		i, did("p", i), i, i, i, t, t, t,
		file(i % N_FILE + 1), author(i % N_AUTH + 1, false),
		category(i % N_CAT + 1, false), i, i, i, i,
		file((i * 7 + 3) % N_FILE + 1), i,
		file((i * 13 + 5) % N_FILE + 1), file((i * 17 + 9) % N_FILE + 1))
end

local function delivery(k)
	local model, entry
	if k < N_AUTH then
		model, entry = "author", author(k + 1, true)
	elseif k < N_AUTH + N_CAT then
		model, entry = "category", category(k - N_AUTH + 1, true)
	else
		model, entry = "article", article(k - N_AUTH - N_CAT + 1)
	end
	return '{"event":"entry.publish","createdAt":"2026-12-03T08:16:17.288Z",' ..
		'"model":"' .. model .. '","uid":"api::' .. model .. '.' .. model ..
		'","entry":' .. entry .. '}'
end

local last = nil

request = function()
	local body
	if tid == 0 and not probed then
		-- wrk calls the first thread's request() once to check it
		-- before any connection: that body is never sent.
		probed = true
		body = delivery(0)
	elseif next_k < TOTAL then
		body = delivery(next_k)
		next_k = next_k + nthreads
		last = body
	else
		body = last or delivery(0)
	end
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. secret,
	}, body)
end

local reported = false

-- A thread whose share is answered stops its loop and marks FILL_DONE;
-- wrk itself waits out -d, so the driver interrupts it (SIGINT) once every
-- thread has marked the file.
function finished()
	wrk.thread:stop()
	local f = io.open(done_file, "a")
	f:write(tid .. "\n")
	f:close()
end

response = function(status, headers, body)
	answered = answered + 1
	if status ~= 200 then
		bad = bad + 1
		if not reported then
			reported = true
			io.stderr:write("fill: first failure: " .. status .. " " ..
				body .. "\n")
		end
	end
	if answered == share then
		finished()
	end
end

done = function(summary, latency, requests)
	local a, b = 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("answered")
		b = b + t:get("bad")
	end
	io.write(string.format("FILL %d %d %.1f\n", a, b,
		summary.duration / 1e6))
end
