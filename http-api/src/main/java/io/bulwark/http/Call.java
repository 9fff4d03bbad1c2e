package io.bulwark.http;

import io.bulwark.http.auth.Principal;

/**
 * What every handler knows about the request it serves: its id, its caller, its deadline, and the
 * scope its telemetry (trace context, log ids) comes from.
 */
record Call(String requestId, Principal principal, Deadline deadline, RequestScope scope) {}
