package io.tarmo.ingest;

/**
 * What ingest keeps of personal data it does not need, read and validated from
 * {@code tarmo.privacy} by {@code io.tarmo.config.SettingsLoader}.
 */
public record PrivacySettings(IpPolicy ipPolicy, String analyticsCategory) {}
