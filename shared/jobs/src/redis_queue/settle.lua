-- ARGV: prefix, now, history ttl s, then per job eight values: id, token, op (beat | done |
-- retry | dead | release), at (lease expiry or retry time), error, queue, tenant, history
-- ('1': a schedule's firing, kept for its history). Answers, per job, 1, or 0 when its token
-- no longer holds it (a token is removed when its lease ends).
local now, history_ttl = tonumber(ARGV[2]), ARGV[3]
local out = {}
for base = 4, #ARGV, 8 do
  local id, token, op, at, err = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
  local q, t, history = ARGV[base + 5], tenant_part(ARGV[base + 6]), ARGV[base + 7] == '1'
  local job = job_key(id)
  if redis.call('HGET', job, 'token') ~= token then
    out[#out + 1] = 0
  elseif op == 'beat' then
    redis.call('HSET', job, 'lease_until', at)
    redis.call('ZADD', P .. 'leases', at, id)
    out[#out + 1] = 1
  else
    unlease(id, q, t, op ~= 'done' or history)
    if op == 'done' then
      if history then
        redis.call('HSET', job, 'state', 'done', 'finished_at', now)
        redis.call('HDEL', job, 'payload')
        redis.call('EXPIRE', job, history_ttl)
      else
        redis.call('DEL', job)
      end
    elseif op == 'retry' then
      redis.call('HSET', job, 'state', 'ready', 'run_at', at, 'last_error', err)
      redis.call('ZADD', P .. 'delayed:' .. q, at, id)
    elseif op == 'dead' then
      bury(id, q, t, now, err)
    else -- release: the attempt does not count
      redis.call('HINCRBY', job, 'attempt', -1)
      make_ready(id, now)
    end
    out[#out + 1] = 1
  end
end
return out
