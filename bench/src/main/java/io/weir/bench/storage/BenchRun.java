package io.weir.bench.storage;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One benchmark method with its parameters, as the report runs it: exactly that method, nothing
 * else matching a looser pattern.
 *
 * @param benchmarkClass the JMH benchmark class
 * @param method         the {@code @Benchmark} method
 * @param params         JMH parameters fixed for this run
 * @param batchSize      invocations per iteration for fixed-work benchmarks, 0 for time-bounded ones
 */
public record BenchRun(Class<?> benchmarkClass, String method, Map<String, String> params, int batchSize) {

    public String name() {
        return benchmarkClass.getSimpleName() + "." + method + (params.isEmpty() ? "" : " " + params);
    }

    public Options options(ReportSettings s, List<String> jvmArgs) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmarkClass.getName() + "." + method) + "$")
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .measurementIterations(s.iterations())
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(true);
        if (batchSize > 0) {
            b.warmupBatchSize(batchSize).measurementBatchSize(batchSize);
        } else {
            b.warmupTime(TimeValue.seconds(s.warmupSeconds())).measurementTime(TimeValue.seconds(s.seconds()));
        }
        params.forEach(b::param);
        return b.build();
    }
}
