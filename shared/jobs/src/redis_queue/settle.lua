-- ARGV: prefix, id, token, op (beat | done | retry | dead | release), now, at (lease expiry
-- or retry time), error, history ttl s. Answers 1, or 0 when the token no longer holds the job.
local id, op, now = ARGV[2], ARGV[4], tonumber(ARGV[5])
local job = job_key(id)
local f = redis.call('HMGET', job, 'token', 'state', 'queue', 'tenant', 'schedule_id')
if f[1] ~= ARGV[3] or f[2] ~= 'running' then return 0 end
if op == 'beat' then
  redis.call('HSET', job, 'lease_until', ARGV[6])
  redis.call('ZADD', P .. 'leases', ARGV[6], id)
  return 1
end
local q, t = f[3], tenant_part(f[4])
unlease(id, q, t)
if op == 'done' then
  if f[5] ~= '' then
    -- A schedule's firing stays a while for its history.
    redis.call('HSET', job, 'state', 'done', 'finished_at', now)
    redis.call('HDEL', job, 'payload')
    redis.call('EXPIRE', job, ARGV[8])
  else
    redis.call('DEL', job)
  end
elseif op == 'retry' then
  redis.call('HSET', job, 'state', 'ready', 'run_at', ARGV[6], 'last_error', ARGV[7])
  redis.call('ZADD', P .. 'delayed:' .. q, ARGV[6], id)
elseif op == 'dead' then
  bury(id, q, t, now, ARGV[7])
else -- release: the attempt does not count
  redis.call('HINCRBY', job, 'attempt', -1)
  make_ready(id, now)
end
return 1
