# t1400-query-errors.py: run by t1400-query-errors.sh, whose header says
# what these checks are for.
import json, os
from push_client import *

H, LP = "127.0.0.1", int(os.environ["LIGHTTPD_PORT"])
enc = qs_enc

fx, sts = rich_deliver_articles(H, LP)
sts += [rich_deliver(H, LP, n) for n in sorted(
    os.listdir(os.environ["FIXTURES_RICH"])) if n[:3] in ("50-", "53-", "55-")]
ok(set(sts) == {200}, "%d deliveries: 200" % len(sts))


def rest(plural, q):
    return rest_json(H, LP, plural, enc(q))


def invalid(msg, key, path, param):
    return {"data": None, "error": {"status": 400, "name": "ValidationError",
            "message": msg, "details": {"key": key, "path": path,
                                        "source": "query", "param": param}}}


# --- the recorded 400s: the same body -----------------------------------------
for name in ("rest-error-400-invalid-filter.json",
             "rest-error-400-invalid-param.json"):
    with open(os.path.join(os.environ["FIXTURES"], name)) as f:
        rec = json.load(f)
    q = rec["request"]["path"].split("?", 1)[1]
    st, b = rest("articles", q)
    is_((st, b), (rec["status"], rec["body"]), "%s: Strapi's recorded 400" % q)

# --- Invalid key, with the path Strapi names ------------------------------------
for plural, q, msg, key, path, param in (
        ("articles", "filters[category][nope][$eq]=1",
         "Invalid key nope at category", "nope", "category", "filters"),
        ("articles", "filters[title][$nope]=1", "Invalid key $nope at title",
         "$nope", "title", "filters"),
        ("articles", "filters[author][articles][nope]=1",
         "Invalid key nope at author.articles", "nope", "author.articles",
         "filters"),
        ("articles", "filters[blocks][$null]=true", "Invalid key blocks",
         "blocks", "blocks", "filters"),
        ("articles", "sort=category.nope:desc", "Invalid key nope at category",
         "nope", "category", "sort"),
        ("articles", "sort=category", "Invalid key category", "category",
         "category", "sort"),
        ("articles", "sort=category:asc", "Invalid key asc at category",
         "asc", "category", "sort"),
        ("articles", "sort=author.avatar", "Invalid key avatar at "
         "author.avatar", "avatar", "author.avatar", "sort"),
        ("articles", "fields[0]=author", "Invalid key author", "author",
         "author", "fields"),
        ("articles", "fields[0]=nope", "Invalid key nope", "nope", None,
         "fields"),
        ("articles", "populate[author][fields][0]=nope", "Invalid key nope",
         "nope", None, "populate"),
        ("articles", "populate[author][populate][name]=true",
         "Invalid key name at author.populate.name", "name",
         "author.populate.name", "populate"),
        ("articles", "populate[author][nope]=true", "Invalid key nope at "
         "author", "nope", "author", "populate"),
        ("articles", "populate[category][filters][nope][$eq]=1",
         "Invalid key nope", "nope", None, "populate"),
        ("articles", "populate[category][sort]=nope", "Invalid key nope",
         "nope", None, "populate"),
        ("articles", "populate[cover][populate][url]=true",
         "Invalid key url at cover.populate.url", "url",
         "cover.populate.url", "populate"),
        ("global", "populate[defaultSeo][count]=yes",
         "Invalid key count at defaultSeo", "count", "defaultSeo",
         "populate")):
    st, b = rest(plural, q)
    is_((st, b), (400, invalid(msg, key, path, param)),
        "%s: 400 %s (path %s, param %s)" % (q, msg, path, param))

# --- a sort path longer than any key, going round a loop of relations: a
# 400, not a write past the path's buffer (the program answered 503, its
# stack smashed, and the store cleaned up after it) -----------------------------
loop = ".".join(["category", "articles"] * 40) + ".title"
for q in ("sort=" + loop, "populate[category][sort]=" + loop[9:]):
    st, b = rest("articles", q)
    is_((st, (b.get("error") or {}).get("status")), (400, 400),
        "%s...: 400 (a %d-byte sort path)" % (q[:40], len(q)))
st, b = rest("articles", "")
is_(st, 200, "and the program answers the next request")

# --- Strapi's query-parameter conversion: a message, no details -----------------
for q, msg in (
        ("fields[a]=title", "Invalid fields parameter. Expected a string or "
         "an array of strings"),
        ("filters=x", "The filters parameter must be an object or an array")):
    st, b = rest("articles", q)
    e = b.get("error") or {}
    is_((st, e.get("name"), e.get("message"), e.get("details")),
        (400, "ValidationError", msg, {}), "%s: 400 %s" % (q, msg))

# --- a component's count -----------------------------------------------------
st, plain = rest("global", "populate[defaultSeo]=true")
st2, cnt = rest("global", "populate[defaultSeo][count]=true")
st3, off = rest("global", "populate[defaultSeo][count]=false")
want = dict(plain.get("data") or {}, defaultSeo={"count": 1})
ok(st == st2 == st3 == 200 and plain["data"].get("defaultSeo") and
   cnt.get("data") == want and off.get("data") == plain["data"],
   "populate[defaultSeo][count]=true: {\"count\":1}; =false: the component",
   json.dumps(cnt)[:300])
st, none = rest("global", "populate[defaultSeo][count]=true&"
                "populate[defaultSeo][filters][metaTitle][$eq]=none")
ok(st == 200 and (none.get("data") or {}).get("defaultSeo") == {"count": 0},
   "a component its filters leave out counts 0", json.dumps(none)[:300])
finish()
