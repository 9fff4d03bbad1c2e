package io.bulwark.http;

import io.bulwark.http.auth.Principal;

/** What every handler knows about the request it serves: its id and its caller. */
record Call(String requestId, Principal principal) {}
