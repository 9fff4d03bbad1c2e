// Baseline: a steady open-model load (RATE requests/s for DURATION, default 5 m) that must meet
// the SLOs.
//   k6 run -e BULWARK_URL=http://127.0.0.1:8080 -e BULWARK_PLATFORM_KEY=... -e RATE=100 baseline.js
import { steady } from './lib/bulwark.js';

export { setup, default } from './lib/bulwark.js';

export const options = steady('baseline', '5m');
