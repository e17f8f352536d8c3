-- ARGV: prefix, now, error. Jobs whose lease expired go back to their queue, or to the dead
-- letters when their attempts are used up. Answers how many.
local now = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', '(' .. now, 'LIMIT', 0, 1000)
for _, id in ipairs(expired) do
  local f = redis.call('HMGET', job_key(id), 'queue', 'tenant', 'attempt', 'max_attempts')
  if f[1] then
    local q, t = f[1], tenant_part(f[2])
    unlease(id, q, t, true)
    if tonumber(f[3]) >= tonumber(f[4]) then
      bury(id, q, t, now, ARGV[3])
    else
      redis.call('HSET', job_key(id), 'last_error', ARGV[3])
      make_ready(id, now)
    end
  else
    redis.call('ZREM', P .. 'leases', id)
  end
end
return #expired
