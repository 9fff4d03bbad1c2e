package io.bulwark.http;

import io.bulwark.http.auth.Principal;

/** What every handler knows about the request it serves: its id, its caller and its deadline. */
record Call(String requestId, Principal principal, Deadline deadline) {}
