// Spike: RATE (about half of saturation) jumps to 4x for a minute, then falls back. The excess must
// be refused fast and explicitly (429/503), nothing else may fail, and the SLOs hold again after.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 spike.js
import http from 'k6/http';
import { createLedger, oneRequest, OVERLOAD_THRESHOLDS } from './lib/bulwark.js';

const RATE = Number(__ENV.RATE || 100);

// Refusals are answers the client was promised, not failures.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429, 503));

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: RATE,
      timeUnit: '1s',
      preAllocatedVUs: 100,
      maxVUs: 2000,
      stages: [
        { target: RATE, duration: '30s' },
        { target: RATE * 4, duration: '5s' },
        { target: RATE * 4, duration: '60s' },
        { target: RATE, duration: '5s' },
        { target: RATE, duration: '60s' },
      ],
    },
  },
  thresholds: OVERLOAD_THRESHOLDS,
};

export function setup() {
  return createLedger();
}

export default function (ledger) {
  oneRequest(ledger);
}
