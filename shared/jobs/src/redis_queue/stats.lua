-- ARGV: prefix, now. Answers, per queue: {queue, ready, scheduled, running, dead, oldest due
-- (0 when none), tenants with ready and running counts as a flat list}.
local now = tonumber(ARGV[2])
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  local delayed = P .. 'delayed:' .. q
  local due = redis.call('ZCOUNT', delayed, '-inf', now)
  local oldest = 0
  local head = redis.call('ZRANGE', P .. 'age:' .. q, 0, 0, 'WITHSCORES')
  if #head > 0 then oldest = tonumber(head[2]) end
  local late = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
  if #late > 0 and tonumber(late[2]) <= now and (oldest == 0 or tonumber(late[2]) < oldest) then
    oldest = tonumber(late[2])
  end
  local load = {}
  local counts = {}
  for _, t in ipairs(redis.call('ZRANGE', P .. 'tenants:' .. q, 0, 9999)) do
    counts[t] = {redis.call('ZCARD', P .. 'ready:' .. q .. ':' .. t), 0}
  end
  local running, r = 0, redis.call('HGETALL', P .. 'running:' .. q)
  for i = 1, #r, 2 do
    local n = tonumber(r[i + 1])
    running = running + n
    counts[r[i]] = counts[r[i]] or {0, 0}
    counts[r[i]][2] = n
  end
  for t, c in pairs(counts) do
    load[#load + 1] = t
    load[#load + 1] = c[1]
    load[#load + 1] = c[2]
  end
  out[#out + 1] = {q, redis.call('ZCARD', P .. 'age:' .. q) + due,
    redis.call('ZCARD', delayed) - due, running, redis.call('ZCARD', P .. 'dead:q:' .. q),
    tostring(oldest), load}
end
return out
