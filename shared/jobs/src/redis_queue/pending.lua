-- ARGV: prefix, idempotency key. Answers 1 when the job that key enqueued waits or runs
-- where a worker will find it: due in its tenant's set (and the tenant ranked, which this
-- repairs), delayed, or running under a lease. A job whose hash says so but which is in
-- none of those (keys lost to a partial flush or an eviction) answers 0, so the caller
-- sends its work again instead of waiting for a job nobody will claim.
local id = redis.call('GET', P .. 'idem:' .. ARGV[2])
if not id then return 0 end
local f = redis.call('HMGET', job_key(id), 'state', 'queue', 'tenant')
if not f[1] or not f[2] then return 0 end
local q, t = f[2], tenant_part(f[3] or '')
if f[1] == 'running' then
  if redis.call('ZSCORE', P .. 'leases', id) then return 1 end
  return 0
end
if f[1] ~= 'ready' then return 0 end
if redis.call('ZSCORE', P .. 'delayed:' .. q, id) then return 1 end
if redis.call('ZSCORE', P .. 'ready:' .. q .. ':' .. t, id) then
  if not redis.call('ZSCORE', P .. 'tenants:' .. q, t) then refresh_tenant(q, t) end
  return 1
end
return 0
