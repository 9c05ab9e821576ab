import { parseArgs } from 'node:util';
import { startEmulators } from './index';

/**
 * `npm run emulators -- [--port 47100] [--seed 1] [--size demo|10k|100k|N] [--scenario default]`
 * Prints one JSON line with the base URLs when the servers are ready, then serves until stopped.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '47100' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'demo' },
    scenario: { type: 'string', default: 'default' },
  },
});

const size = /^\d+$/.test(values.size) ? Number(values.size) : values.size;
if (typeof size === 'string' && !['demo', '10k', '100k'].includes(size)) {
  console.error(`--size must be demo, 10k, 100k or a message count, not "${size}"`);
  process.exit(2);
}

const running = await startEmulators({
  port: Number(values.port),
  seed: Number(values.seed),
  size: size as 'demo',
  scenario: values.scenario,
});
console.log(JSON.stringify({ ...running.urls, seed: Number(values.seed), size, scenario: values.scenario }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void running.stop().then(() => process.exit(0));
  });
}
