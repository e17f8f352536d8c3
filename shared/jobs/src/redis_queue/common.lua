-- Shared by every script. ARGV[1] is the key prefix. Keys (after the prefix):
--   job:<id>               hash: the job
--   ready:<queue>:<tenant> zset: due jobs of one tenant, score (32767 - priority) * 2^37 + seq
--   tenants:<queue>        zset: tenants with due jobs, score (band of their best job) * 2^37
--                          + when they were last served, so the lowest score is the tenant
--                          with the highest priority served least recently
--   served:<queue>         hash: tenant -> seq of its last claim
--   delayed:<queue>        zset: jobs not due yet (delayed, backing off), by run_at
--   running:<queue>        hash: tenant -> jobs running
--   leases                 zset: running jobs by lease expiry
--   dead, dead:q:<queue>, dead:t:<tenant>  zsets: dead letters by failure time
--   idem:<key>             string: the job an idempotency key enqueued (expires)
--   history:<owner>        zset: a schedule owner's firings by enqueue time (expires)
--   caps                   hash: tenant -> its own cap on running jobs per queue (0: none)
--   queues                 set: queue names; seq: a counter
-- The tenant part of a key is '-' for jobs without a tenant.
local P = ARGV[1]
local SHIFT = 137438953472 -- 2^37: seq below it, priority band above it

local function job_key(id) return P .. 'job:' .. id end
local function tenant_part(t) if t == '' then return '-' end return t end

local function refresh_tenant(q, t)
  local head = redis.call('ZRANGE', P .. 'ready:' .. q .. ':' .. t, 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('ZREM', P .. 'tenants:' .. q, t)
    return
  end
  local band = math.floor(tonumber(head[2]) / SHIFT)
  local served = tonumber(redis.call('HGET', P .. 'served:' .. q, t) or '0')
  redis.call('ZADD', P .. 'tenants:' .. q, band * SHIFT + served, t)
end

-- Puts job `id` (queue `q`, tenant part `t`, `priority`) among the due jobs since `since`.
-- The caller has set its state to ready.
local function add_ready(id, q, t, priority, since)
  local band = 32767 - priority
  redis.call('ZADD', P .. 'ready:' .. q .. ':' .. t, band * SHIFT + redis.call('INCR', P .. 'seq'), id)
  -- The tenant's rank changes only if it had no due job or this one outranks them.
  local rank = redis.call('ZSCORE', P .. 'tenants:' .. q, t)
  if not rank or math.floor(tonumber(rank) / SHIFT) > band then refresh_tenant(q, t) end
end

-- Makes job `id` due since `since` among its queue's and tenant's ready jobs.
local function make_ready(id, since)
  local job = job_key(id)
  local f = redis.call('HMGET', job, 'queue', 'tenant', 'priority')
  if not f[1] then return end
  redis.call('HSET', job, 'state', 'ready', 'run_at', since)
  add_ready(id, f[1], tenant_part(f[2]), tonumber(f[3]), since)
end

-- Takes a running job off the leases and its tenant's running count; `keep`: the job
-- stays (not deleted), so its lease fields go.
local function unlease(id, q, t, keep)
  redis.call('ZREM', P .. 'leases', id)
  local running = P .. 'running:' .. q
  if redis.call('HINCRBY', running, t, -1) <= 0 then redis.call('HDEL', running, t) end
  if keep then redis.call('HDEL', job_key(id), 'token', 'lease_until') end
end

local function bury(id, q, t, now, err)
  redis.call('HSET', job_key(id), 'state', 'dead', 'finished_at', now, 'last_error', err)
  redis.call('ZADD', P .. 'dead', now, id)
  redis.call('ZADD', P .. 'dead:q:' .. q, now, id)
  redis.call('ZADD', P .. 'dead:t:' .. t, now, id)
end

local function unbury(id, q, t)
  redis.call('ZREM', P .. 'dead', id)
  redis.call('ZREM', P .. 'dead:q:' .. q, id)
  redis.call('ZREM', P .. 'dead:t:' .. t, id)
end

-- Whether a job of tenant `t` is visible in scope `scope` ('*': all).
local function in_scope(scope, t) return scope == '*' or scope == t end
