-- ARGV: prefix, now. Answers, per queue: {queue, ready, scheduled, running, dead, oldest due
-- (0 when none), tenants with ready and running counts as a flat list}. The oldest due job
-- is the one due longest among those next in line (each tenant's first): with one priority,
-- the queue's oldest.
local now = tonumber(ARGV[2])
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  local delayed = P .. 'delayed:' .. q
  local due = redis.call('ZCOUNT', delayed, '-inf', now)
  local oldest = 0
  local late = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
  if #late > 0 and tonumber(late[2]) <= now then oldest = tonumber(late[2]) end
  local ready = due
  local counts = {}
  for _, t in ipairs(redis.call('ZRANGE', P .. 'tenants:' .. q, 0, 9999)) do
    local line = P .. 'ready:' .. q .. ':' .. t
    local n = redis.call('ZCARD', line)
    ready = ready + n
    counts[t] = {n, 0}
    local head = redis.call('ZRANGE', line, 0, 0)
    if #head > 0 then
      local since = tonumber(redis.call('HGET', job_key(head[1]), 'run_at') or '0')
      if since > 0 and (oldest == 0 or since < oldest) then oldest = since end
    end
  end
  local running, r = 0, redis.call('HGETALL', P .. 'running:' .. q)
  for i = 1, #r, 2 do
    local n = tonumber(r[i + 1])
    running = running + n
    counts[r[i]] = counts[r[i]] or {0, 0}
    counts[r[i]][2] = n
  end
  local load = {}
  for t, c in pairs(counts) do
    load[#load + 1] = t
    load[#load + 1] = c[1]
    load[#load + 1] = c[2]
  end
  out[#out + 1] = {q, ready, redis.call('ZCARD', delayed) - due, running,
    redis.call('ZCARD', P .. 'dead:q:' .. q), tostring(oldest), load}
end
return out
