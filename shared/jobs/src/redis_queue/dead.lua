-- ARGV: prefix, op (retry | purge), scope ('*' or a tenant), now, id ('' for all), queue
-- ('' for any). Answers how many dead jobs were retried or purged.
local op, scope, now, only, queue = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local ids
if only ~= '' then
  ids = {only}
elseif scope ~= '*' then
  ids = redis.call('ZRANGE', P .. 'dead:t:' .. scope, 0, -1)
elseif queue ~= '' then
  ids = redis.call('ZRANGE', P .. 'dead:q:' .. queue, 0, -1)
else
  ids = redis.call('ZRANGE', P .. 'dead', 0, -1)
end
local n = 0
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', job_key(id), 'state', 'queue', 'tenant')
  local t = tenant_part(f[3] or '')
  if f[1] == 'dead' and in_scope(scope, t) and (queue == '' or queue == f[2]) then
    unbury(id, f[2], t)
    if op == 'retry' then
      redis.call('HSET', job_key(id), 'attempt', 0)
      redis.call('HDEL', job_key(id), 'finished_at')
      make_ready(id, now)
    else
      redis.call('DEL', job_key(id))
    end
    n = n + 1
  end
end
return n
