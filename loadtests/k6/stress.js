// Stress: the offered rate climbs in steps from RATE to 10x RATE, to find where the node starts
// refusing and to show that past it only refusals grow, never errors.
//   k6 run -e BULWARK_URL=... -e BULWARK_PLATFORM_KEY=... -e RATE=100 stress.js
import http from 'k6/http';
import { createLedger, oneRequest, OVERLOAD_THRESHOLDS } from './lib/bulwark.js';

const RATE = Number(__ENV.RATE || 100);

http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429, 503));

const steps = [1, 2, 4, 6, 8, 10].map((factor) => ({ target: RATE * factor, duration: '60s' }));

export const options = {
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: RATE,
      timeUnit: '1s',
      preAllocatedVUs: 100,
      maxVUs: 3000,
      stages: steps,
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
