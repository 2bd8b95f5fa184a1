package io.weir.ra.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Calls the test application's servlets; fails with the body on anything but 200. Stateless. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    private Http() {
    }

    /** POSTs {@code params} (a name may repeat) as a form and returns the body. */
    public static String post(URL base, String path, List<Map.Entry<String, String>> params)
            throws IOException, InterruptedException {
        String form = params.stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return check(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    /** GETs {@code path?query} and returns the body. */
    public static String get(URL base, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofMinutes(2))
                .GET().build();
        return check(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String check(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + response.uri() + ":\n" + response.body());
        }
        return response.body();
    }
}
