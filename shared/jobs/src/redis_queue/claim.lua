-- ARGV: prefix, queue, worker, now, lease ms, token prefix, tenant cap (0: none), max jobs.
-- A tenant's own cap (hash `caps`, from its plan) replaces the queue's.
-- Answers up to `max` claimed jobs, each {id, kind, tenant, payload, priority, attempt,
-- max_attempts, timeout_ms, token, schedule id}.
local q, worker, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local lease_until = now + tonumber(ARGV[5])
local cap, max = tonumber(ARGV[7]), tonumber(ARGV[8])
local delayed = P .. 'delayed:' .. q
local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1000)
for i = 1, #due, 2 do
  redis.call('ZREM', delayed, due[i])
  make_ready(due[i], tonumber(due[i + 1]))
end
local claimed = {}
local running = P .. 'running:' .. q
local served = redis.call('INCR', P .. 'seq')
local tenants = redis.call('ZRANGE', P .. 'tenants:' .. q, 0, 99)
local caps = redis.call('EXISTS', P .. 'caps') == 1
local i, steps = 1, 0
while #claimed < max and i <= #tenants and steps < 10000 do
  steps = steps + 1
  local t = tenants[i]
  local room = max - #claimed
  local tcap = cap
  if caps and t ~= '-' then tcap = tonumber(redis.call('HGET', P .. 'caps', t) or cap) end
  if tcap > 0 and t ~= '-' then
    room = math.min(room, tcap - tonumber(redis.call('HGET', running, t) or '0'))
  end
  -- Several tenants: one job each in turn (fairness); a lone tenant: its batch at once.
  if #tenants > 1 then room = math.min(room, 1) end
  local popped = {}
  if room > 0 then popped = redis.call('ZPOPMIN', P .. 'ready:' .. q .. ':' .. t, room) end
  if #popped == 0 then
    if room > 0 then refresh_tenant(q, t) end
    i = i + 1
  else
    local leases, taken = {}, 0
    for k = 1, #popped, 2 do
      local id = popped[k]
      local job = job_key(id)
      local f = redis.call('HMGET', job, 'kind', 'tenant', 'payload', 'priority', 'max_attempts',
        'timeout_ms', 'attempt', 'schedule_id')
      if f[1] then
        local token = ARGV[6] .. '.' .. #claimed
        local attempt = tonumber(f[7]) + 1
        redis.call('HSET', job, 'state', 'running', 'token', token, 'worker', worker,
          'started_at', now, 'lease_until', lease_until, 'attempt', attempt)
        leases[#leases + 1] = lease_until
        leases[#leases + 1] = id
        taken = taken + 1
        claimed[#claimed + 1] = {id, f[1], f[2], f[3], f[4], tostring(attempt), f[5], f[6], token,
          f[8]}
      end
    end
    if taken > 0 then
      redis.call('ZADD', P .. 'leases', unpack(leases))
      redis.call('HINCRBY', running, t, taken)
    end
    if #tenants > 1 or #claimed == taken then redis.call('HSET', P .. 'served:' .. q, t, served) end
    if #tenants > 1 then
      -- Served: the next claim looks at every tenant again (round-robin).
      refresh_tenant(q, t)
      tenants = redis.call('ZRANGE', P .. 'tenants:' .. q, 0, 99)
      i = 1
    end
  end
end
-- A lone tenant was served from without re-ranking: rank it once now.
if #tenants == 1 then refresh_tenant(q, tenants[1]) end
return claimed
