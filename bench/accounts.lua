-- wrk script for the accounts benchmark (bench/accounts.sh). One operation per run, chosen by the
-- first argument after `--`:
--
--   wrk ... -s bench/accounts.lua URL -- signin USERS
--   wrk ... -s bench/accounts.lua URL -- get|list|list-nototal DOCS [CATEGORIES]
--
--   signin        POST /v1/account/sessions/email with {"email","password"} of the users
--                 u0001 … u<USERS>, round-robin (each thread starts elsewhere in the pool), so
--                 that the per-user session limit trims evenly
--   get           GET  /v1/databases/bench/collections/docs/documents/<random odd ID>: the
--                 documents the signed-in reader may read (d000001, d000003, …)
--   list          GET  .../documents?queries[]=equal(category)&queries[]=orderDesc(score)&
--                 queries[]=limit(25)                  (total counted, Appwrite's default)
--   list-nototal  the same with total=false
--
-- The credentials come from wrk's -H options: X-Appwrite-Project alone for signin, with the
-- reader's session cookie or with X-Appwrite-Key for the reads. No response() callback: wrk
-- would then hand every body to Lua.

local base = "/v1/databases/bench/collections/docs/documents"
local op, docs, categories, users
local headers_json
local next_user

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
    -- Each thread its own sequence, and a different one in every run.
    math.randomseed((seed or 1) * 7919 + os.time())
    if op == "signin" then
        users = tonumber(args[2] or "50")
        next_user = math.random(0, users - 1)
        headers_json = {}
        for k, v in pairs(wrk.headers) do
            headers_json[k] = v
        end
        headers_json["Content-Type"] = "application/json"
        return
    end
    docs = tonumber(args[2] or "20000")
    categories = tonumber(args[3] or "10")
    local total = op == "list-nototal" and "&total=false" or ""
    for c = 0, categories - 1 do
        list_paths[c] = base
            .. "?queries[]=" .. urlencode('{"method":"equal","attribute":"category","values":["c' .. c .. '"]}')
            .. "&queries[]=" .. urlencode('{"method":"orderDesc","attribute":"score"}')
            .. "&queries[]=" .. urlencode('{"method":"limit","values":[25]}')
            .. total
    end
end

local function signin()
    local n = next_user % users + 1
    next_user = next_user + 1
    local body = string.format('{"email":"u%04d@bench.test","password":"bench-password-%04d"}', n, n)
    return wrk.format("POST", "/v1/account/sessions/email", headers_json, body)
end

local function get()
    -- Odd IDs only: those are the reader's.
    return wrk.format("GET", string.format("%s/d%06d", base, 2 * math.random(0, math.floor((docs - 1) / 2)) + 1))
end

local function list()
    return wrk.format("GET", list_paths[math.random(0, categories - 1)])
end

function request()
    if op == "signin" then
        return signin()
    elseif op == "get" then
        return get()
    elseif op == "list" or op == "list-nototal" then
        return list()
    end
    error("unknown operation " .. tostring(op))
end
