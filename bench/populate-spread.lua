-- populate-spread.lua: wrk script asking for the pages of a list spread
-- over the whole store, so that no two requests in a row (nor any two of a
-- run shorter than SPREAD_PAGES requests) ask for the same answer: page k
-- of the run is page 1 + (tid + k * threads) * STRIDE mod SPREAD_PAGES,
-- STRIDE coprime to the number of pages. SPREAD_PATH is the list's path and
-- query string without its page; SPREAD_THREADS must be wrk's -t.
local path = os.getenv("SPREAD_PATH") or "/api/articles?pagination[pageSize]=25"
local pages = tonumber(os.getenv("SPREAD_PAGES") or "400")
local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads - 1)
end

local function gcd(a, b)
	while b ~= 0 do
		a, b = b, a % b
	end
	return a
end

local nthreads, k, stride = 1, 0, 1

function init(args)
	nthreads = tonumber(os.getenv("SPREAD_THREADS") or "1")
	k = tid
	-- about 0.618 of the pages apart: neighbours in time are far apart
	stride = math.floor(pages * 0.618) + 1
	while gcd(stride, pages) ~= 1 do
		stride = stride + 1
	end
end

function request()
	local page = 1 + (k * stride) % pages
	k = k + nthreads
	return wrk.format("GET", path .. "&pagination[page]=" .. page)
end
