// Baseline: a steady open-model load (RATE requests/s for DURATION) that must meet the SLOs.
//   k6 run -e BULWARK_URL=http://127.0.0.1:8080 -e BULWARK_PLATFORM_KEY=... -e RATE=100 baseline.js
import { createLedger, oneRequest, SLO_THRESHOLDS } from './lib/bulwark.js';

const RATE = Number(__ENV.RATE || 100);

export const options = {
  scenarios: {
    baseline: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '5m',
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
