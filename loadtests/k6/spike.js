// Spike: RATE (about half of saturation) jumps to 4x for a minute, then falls back. The excess must
// be refused fast and explicitly (429/503), nothing else may fail, and the SLOs hold again after.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 spike.js
import { overload } from './lib/bulwark.js';

export { setup, default } from './lib/bulwark.js';

const RATE = Number(__ENV.RATE || 100);

export const options = overload(
  'spike',
  [
    { target: RATE, duration: '30s' },
    { target: RATE * 4, duration: '5s' },
    { target: RATE * 4, duration: '60s' },
    { target: RATE, duration: '5s' },
    { target: RATE, duration: '60s' },
  ],
  2000,
);
