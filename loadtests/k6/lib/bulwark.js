// What every Bulwark k6 scenario shares: setup over the API (tenants, keys, funded accounts), the
// request mix, and thresholds that mirror the SLOs (strategy, section 4.1). Open model; transfers
// between random pairs of one tenant's funded accounts, strong reads of an account, list reads of its
// entries. The Java generator sends the same mix (Ledger.mixed; loadtests/scenario).
import http from 'k6/http';
import { check, fail } from 'k6';
import { Rate, Trend } from 'k6/metrics';

export const BASE_URL = __ENV.BULWARK_URL || 'http://127.0.0.1:8080';
const PLATFORM_KEY = __ENV.BULWARK_PLATFORM_KEY;
const TENANTS = Number(__ENV.TENANTS || 4);
const ACCOUNTS = Number(__ENV.ACCOUNTS || 50);

// http_req_failed < 1 %; p95 < 200 ms for standard endpoints, < 120 ms for transfers (critical).
// A 429 or 503 counts as failed: a scenario that needs refusals to pass is not a capacity test.
export const SLO_THRESHOLDS = {
  http_req_failed: ['rate<0.01'],
  'http_req_duration{kind:transfer}': ['p(95)<120'],
  'http_req_duration{kind:read}': ['p(95)<200'],
  'http_req_duration{kind:list}': ['p(95)<200'],
};

// Answers that are neither success nor an explicit refusal (429, 503): 500s, timeouts, resets.
export const unexpected = new Rate('bulwark_unexpected');
// How long a refusal took: it must stay cheap under overload (ADR 0009: p99 <= 10 ms).
export const refusalMs = new Trend('bulwark_refusal_ms', true);

/** Thresholds of the overload scenarios, where 429 and 503 are expected answers. */
export const OVERLOAD_THRESHOLDS = {
  bulwark_unexpected: ['rate<0.01'],
  bulwark_refusal_ms: ['p(99)<10'],
};

// The mix of one iteration's request, by weight: mostly money movement, as a ledger's clients send.
export const MIX = { transfer: 0.7, read: 0.2, list: 0.1 };

function json(method, url, key, body, headers = {}) {
  const params = {
    headers: Object.assign(
      { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      headers,
    ),
    tags: { kind: 'setup' },
  };
  return http.request(method, url, body === null ? null : JSON.stringify(body), params);
}

function expect(response, status, what) {
  if (response.status !== status) {
    fail(`${what}: expected ${status}, got ${response.status}: ${response.body}`);
  }
  return response;
}

/** k6's setup(): creates the tenants with limits above the load, an operator key each, accounts. */
export function createLedger() {
  if (!PLATFORM_KEY) {
    fail('BULWARK_PLATFORM_KEY is required (the node prints where its local key file is)');
  }
  const run = Date.now().toString(36);
  const tenants = [];
  for (let t = 0; t < TENANTS; t++) {
    const id = `k6-${run}-${t}`;
    expect(json('POST', `${BASE_URL}/v1/tenants`, PLATFORM_KEY, { id, name: id }), 201, 'tenant');
    const unlimited = 1000000;
    expect(
      json('PUT', `${BASE_URL}/v1/tenants/${id}/limits`, PLATFORM_KEY, {
        writesPerSecond: unlimited,
        writeBurst: unlimited,
        readsPerSecond: unlimited,
        readBurst: unlimited,
      }),
      200,
      'limits',
    );
    const issued = expect(
      json('POST', `${BASE_URL}/v1/tenants/${id}/api-keys`, PLATFORM_KEY, {
        name: 'k6',
        roles: ['operator'],
      }),
      201,
      'api key',
    );
    const key = issued.json('secret');
    const accounts = `${BASE_URL}/v1/tenants/${id}/accounts`;
    expect(json('POST', accounts, key, { id: 'bank', currency: 'EUR', overdraftLimit: null }), 201, 'bank');
    for (let a = 0; a < ACCOUNTS; a++) {
      expect(json('POST', accounts, key, { id: `acc-${a}`, currency: 'EUR' }), 201, 'account');
      const funding = { from: 'bank', to: `acc-${a}`, amount: 1000000000, currency: 'EUR' };
      expect(
        json('POST', `${BASE_URL}/v1/tenants/${id}/transfers`, key, funding, {
          'Idempotency-Key': `fund-${a}`,
        }),
        201,
        'funding',
      );
    }
    tenants.push({ id, key });
  }
  return { run, tenants };
}

function pick(n) {
  return Math.floor(Math.random() * n);
}

function headers(key, extra = {}) {
  return Object.assign({ Authorization: `Bearer ${key}` }, extra);
}

function record(response) {
  const refused = response.status === 429 || response.status === 503;
  if (refused) {
    refusalMs.add(response.timings.duration);
  }
  unexpected.add(!refused && (response.status === 0 || response.status >= 500));
  return response;
}

/** One request of the mix, to a random tenant; the scenario's executor decides when. */
export function oneRequest(ledger) {
  const tenant = ledger.tenants[pick(ledger.tenants.length)];
  const base = `${BASE_URL}/v1/tenants/${tenant.id}`;
  const roll = Math.random();
  if (roll < MIX.transfer) {
    const from = pick(ACCOUNTS);
    const to = (from + 1 + pick(ACCOUNTS - 1)) % ACCOUNTS;
    const body = JSON.stringify({ from: `acc-${from}`, to: `acc-${to}`, amount: 1, currency: 'EUR' });
    const response = http.post(`${base}/transfers`, body, {
      headers: headers(tenant.key, {
        'Content-Type': 'application/json',
        'Idempotency-Key': `${ledger.run}-${__VU}-${__ITER}`,
      }),
      tags: { kind: 'transfer' },
    });
    check(record(response), { 'transfer 201': (r) => r.status === 201 });
  } else if (roll < MIX.transfer + MIX.read) {
    const response = http.get(`${base}/accounts/acc-${pick(ACCOUNTS)}`, {
      headers: headers(tenant.key),
      tags: { kind: 'read' },
    });
    check(record(response), { 'read 200': (r) => r.status === 200 });
  } else {
    const response = http.get(`${base}/accounts/acc-${pick(ACCOUNTS)}/entries?limit=20`, {
      headers: headers(tenant.key),
      tags: { kind: 'list' },
    });
    check(record(response), { 'list 200': (r) => r.status === 200 });
  }
}

/** Options of a steady open-model load: RATE requests/s for DURATION, under the SLO thresholds. */
export function steady(name, defaultDuration) {
  return {
    scenarios: {
      [name]: {
        executor: 'constant-arrival-rate',
        rate: Number(__ENV.RATE || 100),
        timeUnit: '1s',
        duration: __ENV.DURATION || defaultDuration,
        preAllocatedVUs: 50,
        maxVUs: 500,
      },
    },
    thresholds: SLO_THRESHOLDS,
  };
}

/**
 * Options of a load that climbs past capacity through {@code stages}: refusals (429, 503) become
 * expected answers, and the thresholds are the overload ones.
 */
export function overload(name, stages, maxVUs) {
  http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429, 503));
  return {
    scenarios: {
      [name]: {
        executor: 'ramping-arrival-rate',
        startRate: Number(__ENV.RATE || 100),
        timeUnit: '1s',
        preAllocatedVUs: 100,
        maxVUs,
        stages,
      },
    },
    thresholds: OVERLOAD_THRESHOLDS,
  };
}

// k6's lifecycle, shared by every scenario: setup once, then one request of the mix per iteration.
export function setup() {
  return createLedger();
}

export default function (ledger) {
  oneRequest(ledger);
}
