-- wrk script for the database benchmark (bench/db.sh). One operation per run, chosen by the first
-- argument after `--`:
--
--   wrk ... -s bench/db.lua URL -- OP DOCS [CATEGORIES]
--
--   get        GET    /v1/databases/bench/collections/docs/documents/<random loaded ID>
--   create     POST   /v1/databases/bench/collections/docs/documents   (documentId "unique()")
--   list       GET    .../documents?queries[]=equal(category)&queries[]=orderDesc(score)&
--                     queries[]=limit(25)                  (total counted, Appwrite's default)
--   list-nototal      the same with total=false
--   update     PATCH  .../documents/<random loaded ID>     (score and seen)
--   mixed      80% get, 15% create, 5% update
--
-- DOCS is how many documents were loaded (IDs d000001 … dNNNNNN), CATEGORIES how many values
-- the category attribute takes (c0 … c<N-1>). X-Appwrite-Project and X-Appwrite-Key come from
-- wrk's -H options. No response() callback: wrk would then hand every body to Lua.

local base = "/v1/databases/bench/collections/docs/documents"
local op, docs, categories
local headers_json

local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

local list_paths = {}

function init(args)
    op = args[1] or "get"
    docs = tonumber(args[2] or "100000")
    categories = tonumber(args[3] or "10")
    -- Each thread its own sequence, and a different one in every run.
    math.randomseed((seed or 1) * 7919 + os.time())
    headers_json = {}
    for k, v in pairs(wrk.headers) do
        headers_json[k] = v
    end
    headers_json["Content-Type"] = "application/json"
    -- The list URLs, one per category, built once: only the category changes.
    local total = op == "list-nototal" and "&total=false" or ""
    for c = 0, categories - 1 do
        list_paths[c] = base
            .. "?queries[]=" .. urlencode('{"method":"equal","attribute":"category","values":["c' .. c .. '"]}')
            .. "&queries[]=" .. urlencode('{"method":"orderDesc","attribute":"score"}')
            .. "&queries[]=" .. urlencode('{"method":"limit","values":[25]}')
            .. total
    end
end

local function random_id()
    return string.format("d%06d", math.random(1, docs))
end

local function random_date()
    return string.format("2026-%02d-%02dT%02d:%02d:%02d.000+00:00", math.random(1, 12),
        math.random(1, 28), math.random(0, 23), math.random(0, 59), math.random(0, 59))
end

local function get()
    return wrk.format("GET", base .. "/" .. random_id())
end

local function create()
    local body = string.format('{"documentId":"unique()","data":{"title":"Created by wrk %d",'
        .. '"category":"c%d","score":%d,"seen":"%s"}}', math.random(1, 1000000000),
        math.random(0, categories - 1), math.random(0, 999999), random_date())
    return wrk.format("POST", base, headers_json, body)
end

local function update()
    local body = string.format('{"data":{"score":%d,"seen":"%s"}}', math.random(0, 999999),
        random_date())
    return wrk.format("PATCH", base .. "/" .. random_id(), headers_json, body)
end

local function list()
    return wrk.format("GET", list_paths[math.random(0, categories - 1)])
end

function request()
    if op == "get" then
        return get()
    elseif op == "create" then
        return create()
    elseif op == "update" then
        return update()
    elseif op == "list" or op == "list-nototal" then
        return list()
    elseif op == "mixed" then
        local r = math.random(1, 100)
        if r <= 80 then
            return get()
        elseif r <= 95 then
            return create()
        end
        return update()
    end
    error("unknown operation " .. tostring(op))
end
