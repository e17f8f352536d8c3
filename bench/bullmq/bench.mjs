// The BullMQ side of bench/queue_throughput.sh: the same workload as
// shared/jobs/examples/queue_bench.rs — enqueue with 64 adds in flight, then drain with
// WORKERS workers of CONCURRENCY each (each its own connection), same retry settings, done
// jobs removed — printed as one JSON line.
import { Queue, Worker } from 'bullmq';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const jobs = Number(arg('--jobs', '20000'));
const workers = Number(arg('--workers', '1'));
const concurrency = Number(arg('--concurrency', '16'));
const kind = arg('--kind', 'noop');
const url = new URL(arg('--redis', 'redis://127.0.0.1:6379'));
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const name = `bench-${process.pid}-${Date.now()}`;
const payload = kind === 'small' ? { numbers: Array.from({ length: 100 }, (_, i) => i) } : {};

const queue = new Queue(name, {
  connection,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
  },
});
await queue.waitUntilReady();

let next = 0;
let t0 = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next++ < jobs) await queue.add(kind, payload);
  }),
);
const enqueueS = (performance.now() - t0) / 1000;

let done = 0;
let finish;
const allDone = new Promise((resolve) => (finish = resolve));
const processor = async (job) => {
  if (Array.isArray(job.data.numbers)) {
    const sum = job.data.numbers.reduce((a, b) => a + b, 0);
    `sum=${sum}`;
  }
  if (++done === jobs) finish();
};
t0 = performance.now();
const running = Array.from(
  { length: workers },
  () => new Worker(name, processor, { connection, concurrency }),
);
await allDone;
const processS = (performance.now() - t0) / 1000;
await Promise.all(running.map((w) => w.close()));
const left = await queue.getJobCounts('waiting', 'active', 'delayed');
await queue.obliterate({ force: true });
await queue.close();
console.log(
  JSON.stringify({
    system: 'bullmq',
    kind,
    jobs,
    workers,
    concurrency,
    enqueue_per_s: Math.round(jobs / enqueueS),
    process_per_s: Math.round(jobs / processS),
    left_in_queue: left.waiting + left.active + left.delayed,
  }),
);
process.exit(0);
