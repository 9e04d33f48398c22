// Loaded with `node --import` into a CLI run: prints the process's peak memory at exit.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nBENCH_USAGE ${JSON.stringify({ maxRssKb: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 })}\n`);
});
