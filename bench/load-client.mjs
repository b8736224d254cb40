// The load generator in its own process (autocannon), driven over IPC by bench/load.ts: the client must not share
// an event loop with the server it measures. Each message is autocannon options; the answer is the result's
// figures or an error message.
import autocannon from 'autocannon';

process.on('message', (o) => {
  autocannon(o, (err, r) => {
    if (err) return process.send({ error: err.message });
    process.send({
      duration: r.duration,
      statusCodeStats: r.statusCodeStats,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      latencyP50: r.latency.p50,
      bytes: r.throughput.total,
      requests: r.requests.total,
    });
  });
});
