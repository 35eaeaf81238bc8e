-- webhook.lua: wrk script posting distinct Strapi 5 entry.publish deliveries
-- (every request is a new document, so every one is a real durable write)
local counter = 0
local threads = 0
local secret = os.getenv("BENCH_SECRET") or "bench-secret"

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	counter = 0
end

request = function()
	counter = counter + 1
	local doc = string.format("b%d-%d-%d", tid, os.time() % 100000, counter)
	local body = '{"event":"entry.publish","createdAt":"2026-11-22T22:24:19.759Z",' ..
		'"model":"article","uid":"api::article.article","entry":{"id":' .. counter ..
		',"documentId":"' .. doc .. '","title":"Bench ' .. doc ..
		'","slug":"' .. doc .. '","content":"# Bench\\n\\nBody with **Markdown**.\\n",' ..
		'"excerpt":"Short.","category":"tech","createdAt":"2026-11-22T22:24:16.973Z",' ..
		'"updatedAt":"2026-11-22T22:24:19.716Z","publishedAt":"2026-11-22T22:24:19.733Z"}}'
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. secret,
	}, body)
end

done = function(summary, latency, requests)
	local bad = summary.errors.status + summary.errors.connect +
		summary.errors.read + summary.errors.write + summary.errors.timeout
	io.write(string.format("RESULT %d %d %.1f %.2f\n", summary.requests, bad,
		summary.requests / (summary.duration / 1e6),
		latency:percentile(99) / 1000))
end

local reported = false
response = function(status, headers, body)
	if status ~= 200 and not reported then
		reported = true
		io.write("first failure: " .. status .. " " .. body .. "\n")
	end
end
