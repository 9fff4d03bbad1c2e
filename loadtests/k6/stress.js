// Stress: the offered rate climbs in steps from RATE to 10x RATE, to find where the node starts
// refusing and to show that past it only refusals grow, never errors.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 stress.js
import { overload } from './lib/bulwark.js';

export { setup, default } from './lib/bulwark.js';

const RATE = Number(__ENV.RATE || 100);

export const options = overload(
  'stress',
  [1, 2, 4, 6, 8, 10].map((factor) => ({ target: RATE * factor, duration: '60s' })),
  3000,
);
