-- ARGV: prefix, id, queue, kind, tenant, payload, priority, run_at, max_attempts, timeout_ms,
--       idempotency key ('' none), now, schedule id ('' none), history owner, idem ttl s,
--       history ttl s. Answers the job id (the earlier job's, for a used idempotency key).
local id, q, idem = ARGV[2], ARGV[3], ARGV[11]
local run_at, now = tonumber(ARGV[8]), tonumber(ARGV[12])
if idem ~= '' then
  local existing = redis.call('GET', P .. 'idem:' .. idem)
  if existing then return existing end
  redis.call('SET', P .. 'idem:' .. idem, id, 'EX', ARGV[15])
end
redis.call('HSET', job_key(id), 'queue', q, 'kind', ARGV[4], 'tenant', ARGV[5],
  'payload', ARGV[6], 'priority', ARGV[7], 'attempt', 0, 'max_attempts', ARGV[9],
  'timeout_ms', ARGV[10], 'created_at', now, 'schedule_id', ARGV[13], 'state', 'ready',
  'run_at', run_at)
redis.call('SADD', P .. 'queues', q)
if ARGV[13] ~= '' then
  local history = P .. 'history:' .. ARGV[14]
  redis.call('ZADD', history, now, id)
  redis.call('ZREMRANGEBYRANK', history, 0, -1001)
  redis.call('EXPIRE', history, ARGV[16])
end
if run_at > now then
  redis.call('ZADD', P .. 'delayed:' .. q, run_at, id)
else
  add_ready(id, q, tenant_part(ARGV[5]), tonumber(ARGV[7]), run_at)
end
return id
