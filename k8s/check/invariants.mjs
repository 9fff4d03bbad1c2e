// What a rendered kustomization must hold for a Bulwark cluster to form, scale, drain and shut
// down as designed (k8s/README.md), beyond being valid Kubernetes.

const DEFAULT_ROLES = "api,entities,projections";
const DEFAULT_DISCOVERY_SERVICE = "bulwark";
// The node's coordinated shutdown takes at most 92 s (cluster.conf; GracePeriodTest).
const MIN_GRACE_SECONDS = 120;
// Secrets reach the node as files (NAME_FILE); the variables that would hold the value itself:
export const SECRET_VALUE = /^BULWARK_\w*(PASSWORD|_KEY)$/;
// PostgreSQL, DNS, cluster traffic, the Kubernetes API: each is explained in k8s/README.md.
const EGRESS_PORTS = new Set([5432, 53, 25520, 8558, 443, 6443]);

/** The reasons the rendered `objects` break an invariant: empty when they hold. */
export function checkInvariants(objects, knownEnv) {
  const problems = [];
  const configMaps = new Map(
    objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata?.name, o]),
  );
  const deployments = objects.filter((o) => o.kind === "Deployment");

  for (const o of objects) {
    const name = `${o.kind} ${o.metadata?.name}`;
    if (o.kind === "Secret" && (o.data || o.stringData)) {
      problems.push(`${name} carries data/stringData: secrets are created outside git`);
    }
    if (o.kind === "ConfigMap") {
      for (const key of Object.keys(o.data ?? {})) {
        problems.push(...envNameProblems(`${name}`, key, knownEnv));
        if (SECRET_VALUE.test(key)) problems.push(`${name} holds ${key}: mount it as a file`);
      }
    }
    for (const c of containersOf(o)) {
      for (const e of c.env ?? []) {
        problems.push(...envNameProblems(`${name} container ${c.name}`, e.name, knownEnv));
        if (SECRET_VALUE.test(e.name ?? "")) {
          problems.push(`${name} sets ${e.name} in the environment: use ${e.name}_FILE`);
        }
      }
      if (c.resources?.limits?.cpu !== undefined) {
        problems.push(`${name} container ${c.name} has a CPU limit (throttling stalls the JVM)`);
      }
    }
  }
  for (const d of deployments) problems.push(...deploymentProblems(d, configMaps));
  problems.push(...autoscalerProblems(objects, deployments));
  problems.push(...budgetProblems(objects, deployments));
  problems.push(...apiServiceProblems(objects, deployments, configMaps));
  problems.push(...egressProblems(objects));
  return problems;
}

function envNameProblems(where, name, knownEnv) {
  if (typeof name === "string" && name.startsWith("BULWARK_") && !knownEnv.has(name)) {
    return [`${where}: ${name} is not a variable the node reads`];
  }
  return [];
}

function podSpecOf(o) {
  return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
}

function containersOf(o) {
  const pod = podSpecOf(o);
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

/** The container's environment as the kubelet builds it: ConfigMaps first, then env values. */
function effectiveEnv(container, configMaps) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    Object.assign(env, configMaps.get(from.configMapRef?.name)?.data ?? {});
  }
  for (const e of container.env ?? []) env[e.name] = e.value ?? e.valueFrom;
  return env;
}

function rolesOf(deployment, configMaps) {
  const node = deployment.spec?.template?.spec?.containers?.find((c) => c.name === "bulwark");
  const roles = node ? effectiveEnv(node, configMaps).BULWARK_ROLES : undefined;
  return String(typeof roles === "string" ? roles : DEFAULT_ROLES)
    .split(",")
    .map((r) => r.trim());
}

function deploymentProblems(d, configMaps) {
  const name = `Deployment ${d.metadata?.name}`;
  const pod = podSpecOf(d) ?? {};
  const node = (pod.containers ?? []).find((c) => c.name === "bulwark");
  if (!node) return [`${name} has no container named bulwark`];
  const problems = [];
  const env = effectiveEnv(node, configMaps);
  const discovery = env.BULWARK_DISCOVERY_SERVICE ?? DEFAULT_DISCOVERY_SERVICE;
  const labels = d.spec?.template?.metadata?.labels ?? {};
  if (labels["app.kubernetes.io/name"] !== discovery) {
    problems.push(`${name}: pods lack app.kubernetes.io/name=${discovery}, which Bootstrap discovers`);
  }
  if (env.BULWARK_CLUSTER_HOST?.fieldRef?.fieldPath !== "status.podIP") {
    problems.push(`${name}: BULWARK_CLUSTER_HOST must come from status.podIP`);
  }
  const ports = new Map((node.ports ?? []).map((p) => [p.name, p.containerPort]));
  if (!ports.has("management")) {
    problems.push(`${name}: no container port named management (Bootstrap looks it up by name)`);
  }
  const probes = [
    ["readinessProbe", "/ready"],
    ["livenessProbe", "/alive"],
    ["startupProbe", "/alive"],
  ];
  for (const [probe, path] of probes) {
    const get = node[probe]?.httpGet;
    const port = get?.port;
    if (get?.path !== path || (port !== "management" && port !== ports.get("management"))) {
      problems.push(`${name}: ${probe} must GET ${path} on the management port`);
    }
  }
  if (!node.resources?.requests?.cpu || !node.resources?.requests?.memory) {
    problems.push(`${name}: CPU and memory requests are required`);
  }
  if (!node.resources?.limits?.memory) problems.push(`${name}: a memory limit is required`);
  const grace = pod.terminationGracePeriodSeconds;
  if (!(typeof grace === "number" && grace >= MIN_GRACE_SECONDS)) {
    problems.push(`${name}: terminationGracePeriodSeconds ${grace} < ${MIN_GRACE_SECONDS}`);
  }
  if (pod.enableServiceLinks !== false) {
    problems.push(`${name}: enableServiceLinks must be false (Service links inject BULWARK_* names)`);
  }
  const secure = node.securityContext ?? {};
  if ((secure.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) {
    problems.push(`${name}: runAsNonRoot must be true`);
  }
  if (secure.readOnlyRootFilesystem !== true) {
    problems.push(`${name}: readOnlyRootFilesystem must be true`);
  }
  if (!(secure.capabilities?.drop ?? []).includes("ALL")) {
    problems.push(`${name}: capabilities must drop ALL`);
  }
  return problems;
}

function autoscalerProblems(objects, deployments) {
  const problems = [];
  const targeted = new Map();
  for (const o of objects) {
    if (o.kind !== "HorizontalPodAutoscaler" && o.kind !== "ScaledObject") continue;
    const ref = o.spec?.scaleTargetRef ?? {};
    const kind = ref.kind ?? "Deployment";
    const owner = `${o.kind} ${o.metadata?.name}`;
    if (kind !== "Deployment") continue;
    const target = deployments.find((d) => d.metadata?.name === ref.name);
    if (!target) {
      problems.push(`${owner} scales Deployment ${ref.name}, which is not rendered here`);
      continue;
    }
    if (targeted.has(ref.name)) {
      problems.push(`Deployment ${ref.name} is scaled by both ${targeted.get(ref.name)} and ${owner}`);
    }
    targeted.set(ref.name, owner);
    if (target.spec?.replicas !== undefined) {
      problems.push(`Deployment ${ref.name} sets replicas although ${owner} owns the count`);
    }
  }
  return problems;
}

function matches(selector, labels) {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels?.[k] === v);
}

// The eviction API refuses to evict a pod that two budgets cover, and drains then hang.
function budgetProblems(objects, deployments) {
  const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
  const problems = [];
  for (const d of deployments) {
    const labels = d.spec?.template?.metadata?.labels;
    const covering = budgets.filter((b) => matches(b.spec?.selector?.matchLabels, labels));
    if (covering.length !== 1) {
      problems.push(
        `Deployment ${d.metadata?.name} is covered by ${covering.length} PodDisruptionBudgets, not 1`,
      );
    }
  }
  return problems;
}

// Only nodes with the api role listen on the HTTP port.
function apiServiceProblems(objects, deployments, configMaps) {
  const problems = [];
  for (const s of objects.filter((o) => o.kind === "Service")) {
    const http = (s.spec?.ports ?? []).some((p) => p.targetPort === "http" || p.targetPort === 8080);
    if (!http || deployments.length === 0) continue;
    const selected = deployments.filter((d) =>
      matches(s.spec?.selector, d.spec?.template?.metadata?.labels),
    );
    if (selected.length === 0) problems.push(`Service ${s.metadata?.name} selects no Deployment`);
    for (const d of selected) {
      if (!rolesOf(d, configMaps).includes("api")) {
        problems.push(
          `Service ${s.metadata?.name} selects Deployment ${d.metadata?.name}, whose pods have no api role`,
        );
      }
    }
  }
  return problems;
}

function egressProblems(objects) {
  const problems = [];
  for (const p of objects.filter((o) => o.kind === "NetworkPolicy")) {
    for (const rule of p.spec?.egress ?? []) {
      if (!rule.ports?.length) {
        problems.push(`NetworkPolicy ${p.metadata?.name} allows egress on every port`);
      }
      for (const port of rule.ports ?? []) {
        if (!EGRESS_PORTS.has(port.port)) {
          problems.push(
            `NetworkPolicy ${p.metadata?.name} allows egress to port ${port.port}, not a documented exception`,
          );
        }
      }
    }
  }
  return problems;
}
