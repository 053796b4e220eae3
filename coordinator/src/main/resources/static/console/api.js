// The coordinator's admin API (/api/v1), exactly as any other client uses it: a Bearer token on every call,
// errors read from RFC 9457 problem+json.

/** A refused or failed call: HTTP status (0 when the coordinator could not be reached) and the problem's text. */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** @param tokenOf a function answering the current token (or "" when there is none) */
export function createApi(tokenOf, base = "/api/v1") {
  async function call(method, path, body) {
    const headers = { Accept: "application/json, application/problem+json" };
    const token = tokenOf();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, init);
    } catch (e) {
      throw new ApiError(0, "Coordinator unreachable", String(e.message || e));
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!response.ok) {
      const title = (json && json.title) || `HTTP ${response.status}`;
      const detail = (json && json.detail) || (json ? "" : text.slice(0, 200));
      throw new ApiError(response.status, title, detail);
    }
    return json;
  }

  const id = (s) => encodeURIComponent(s);
  return {
    assignment: () => call("GET", "/assignment"),
    replicas: () => call("GET", "/replicas"),
    scaling: () => call("GET", "/scaling"),
    status: () => call("GET", "/status"),
    audit: (limit) => call("GET", `/audit?limit=${limit}`),
    nodes: () => call("GET", "/nodes"),
    /** One CPU; `node` is left out (null) on a fleet of one node, whose assignment writes plain cpulists. */
    cpu: (cpu, node) => call("GET", `/cpus/${cpu}${node ? `?node=${id(node)}` : ""}`),
    /** Pins CPUs of one node to a replica; `node` is left out (null) on a fleet of one node. */
    setMask: (replica, cpus, node) => call("PUT", `/replicas/${id(replica)}/mask`, node ? { node, cpus } : { cpus }),
    clearMask: (replica) => call("DELETE", `/replicas/${id(replica)}/mask`),
    drain: (replica) => call("POST", `/replicas/${id(replica)}/drain`),
    rebalance: (dryRun) => call("POST", `/rebalance?dryRun=${dryRun ? "true" : "false"}`),
  };
}
