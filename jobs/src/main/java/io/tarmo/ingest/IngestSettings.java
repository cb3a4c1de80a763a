package io.tarmo.ingest;

import java.time.Duration;

/**
 * Limits and gates of {@code ingest}, read and validated from {@code tarmo.ingest} by
 * {@code io.tarmo.config.SettingsLoader}.
 */
public record IngestSettings(
    int maxLineChars,
    int maxEventAgeDays,
    Duration maxClockSkew,
    String defaultPhoneRegion,
    double quarantineMaxRatio,
    int quarantineMinLines) {}
