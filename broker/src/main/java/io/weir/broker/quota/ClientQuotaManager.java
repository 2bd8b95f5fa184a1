package io.weir.broker.quota;

import io.weir.broker.common.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigException;

/**
 * Enforces one byte-rate quota key ({@code producer_byte_rate} on produced request bytes,
 * {@code consumer_byte_rate} on fetched response bytes): counts the bytes of each quota entity in a
 * {@link WindowedRate} ({@code quota.window.num} windows of {@code quota.window.size.seconds}) and, when
 * the rate is over the bound, answers how long the client must wait, as Kafka computes it:
 * {@code (rate - bound) / bound × measured span}, at most the whole measured period. The bytes are
 * counted even when over (the request is served; the client is throttled after it).
 *
 * <p>When no entity sets the key, {@link #recordAndThrottleMs} reads one volatile field and returns.
 * Measurements of entities idle for an hour are dropped. Thread-safe.
 */
public final class ClientQuotaManager {
    public static final String WINDOW_NUM = "quota.window.num";
    public static final String WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    static final long IDLE_EXPIRY_MS = 3_600_000;
    private static final long SWEEP_INTERVAL_MS = 60_000;

    private final ClientQuotas quotas;
    private final String key;
    private final Time time;
    private final int samples;
    private final long windowMs;
    private final Map<QuotaEntity, WindowedRate> rates = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepMs = new AtomicLong();

    public ClientQuotaManager(ClientQuotas quotas, String key, Time time, int samples, long windowMs) {
        this.quotas = quotas;
        this.key = key;
        this.time = time;
        this.samples = samples;
        this.windowMs = windowMs;
        new WindowedRate(samples, windowMs); // validates the settings now
        lastSweepMs.set(time.milliseconds());
    }

    /** From Kafka's settings {@value #WINDOW_NUM} (default 11) and {@value #WINDOW_SIZE_SECONDS} (default 1). */
    public static ClientQuotaManager fromProperties(ClientQuotas quotas, String key, Time time, Map<String, String> props) {
        int samples = (int) setting(props, WINDOW_NUM, "11", 2, 1000);
        long windowSeconds = setting(props, WINDOW_SIZE_SECONDS, "1", 1, 3600);
        return new ClientQuotaManager(quotas, key, time, samples, windowSeconds * 1000);
    }

    private static long setting(Map<String, String> props, String name, String defaultValue, long min, long max) {
        String value = props.getOrDefault(name, defaultValue).trim();
        try {
            long v = Long.parseLong(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name, value, "must be a whole number from " + min + " to " + max);
    }

    public String key() {
        return key;
    }

    /** Whether any entity sets this manager's key (one volatile read). */
    public boolean enforced() {
        return quotas.snapshot().sets(key);
    }

    /**
     * Counts {@code bytes} for the quota entity of {@code user} and {@code clientId}.
     *
     * @return how long the client must wait before its next request, in ms (0: within its quota, or none set)
     */
    public int recordAndThrottleMs(String user, String clientId, long bytes) {
        QuotaSnapshot now = quotas.snapshot();
        if (!now.sets(key)) {
            return 0;
        }
        QuotaSnapshot.Binding binding = now.find(key, user, clientId == null ? "" : clientId);
        if (binding == null) {
            return 0;
        }
        long nowMs = time.milliseconds();
        sweep(nowMs);
        WindowedRate rate = rates.computeIfAbsent(binding.measured(), e -> new WindowedRate(samples, windowMs));
        rate.record(bytes, nowMs);
        double observed = rate.perSecond(nowMs);
        if (observed <= binding.bound()) {
            return 0;
        }
        double throttle = (observed - binding.bound()) / binding.bound() * rate.spanMs(nowMs);
        return (int) Math.min(Math.ceil(throttle), samples * windowMs);
    }

    /** The measured rate of an entity in bytes per second (0 when not measured): for tests and monitoring. */
    public double rate(QuotaEntity measured) {
        WindowedRate r = rates.get(measured);
        return r == null ? 0 : r.perSecond(time.milliseconds());
    }

    private void sweep(long nowMs) {
        long last = lastSweepMs.get();
        if (nowMs - last >= SWEEP_INTERVAL_MS && lastSweepMs.compareAndSet(last, nowMs)) {
            rates.values().removeIf(r -> nowMs - r.lastRecordMs() >= IDLE_EXPIRY_MS);
        }
    }
}
