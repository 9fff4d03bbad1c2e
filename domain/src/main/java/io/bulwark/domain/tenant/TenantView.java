package io.bulwark.domain.tenant;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;

public record TenantView(String id, String name, String status, Instant createdAt)
    implements JsonSerializable {}
