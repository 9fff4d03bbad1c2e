// Soak: RATE (about half of saturation) for DURATION (default 2 h): the SLOs must hold throughout,
// which is where slow leaks, growing read-model lag and compaction stalls show.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 -e DURATION=2h soak.js
import { steady } from './lib/bulwark.js';

export { setup, default } from './lib/bulwark.js';

export const options = steady('soak', '2h');
