// Soak: RATE (about half of saturation) for DURATION (default 2 h): the SLOs must hold throughout,
// which is where slow leaks, growing read-model lag and compaction stalls show.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 -e DURATION=2h soak.js
import { createLedger, oneRequest, SLO_THRESHOLDS } from './lib/bulwark.js';

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 100),
      timeUnit: '1s',
      duration: __ENV.DURATION || '2h',
      preAllocatedVUs: 50,
      maxVUs: 500,
    },
  },
  thresholds: SLO_THRESHOLDS,
};

export function setup() {
  return createLedger();
}

export default function (ledger) {
  oneRequest(ledger);
}
