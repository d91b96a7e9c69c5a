// Loaded with `node --import` into the compiled `sparkctl controller` the benchmarks start: it
// answers 'sample' IPC messages with the process's own RSS, peak RSS and CPU time, and never
// keeps the process alive (the channel is unreferenced), so the command exits as it would alone.
process.on('message', (m) => {
  if (m !== 'sample') return;
  process.send?.({
    type: 'sample',
    rss: process.memoryUsage.rss(),
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
    cpu: process.cpuUsage(),
  });
});
process.channel?.unref();
process.send?.({ type: 'loaded' });
