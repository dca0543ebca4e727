package dev.multiproc.examples;

import dev.multiproc.Connection;
import dev.multiproc.Multiproc;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The quote server as its own program (a JVM of its own), and the client talking to it, as the README shows. */
@Timeout(60)
class QuoteExampleTest {

    @Test
    void aClientGetsPricesFromTheServerAndItsMapAndTheServerLeavesNothingBehind() throws Exception {
        Path errors = Files.createTempFile("quote-server", ".err");
        Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Examples.class.getName(), "quote-server")
                .redirectError(errors.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String banner = out.readLine();
            assertNotNull(banner, "the server ended before it listened");
            assertTrue(banner.contains("listening on 'quotes'"), banner);
            List<String> answers = QuoteClient.ask(Multiproc.context(), List.of("EURUSD", "XAUUSD"));
            assertTrue(answers.get(0).matches("EURUSD [0-9]+\\.[0-9]{5}"), answers.get(0));
            assertEquals("XAUUSD unknown", answers.get(1));
            Map<String, Double> prices = QuoteClient.prices(Multiproc.context());
            assertEquals(List.of("EURUSD", "GBPUSD", "USDJPY"), List.copyOf(prices.keySet()));
            // a client still connected when the server stops: its serving thread is waiting for the next request
            try (Connection<String> lingering = Multiproc.context().connect(QuoteServer.SERVICE, Codec.string(), Duration.ofSeconds(5))) {
                lingering.send("GBPUSD");
                assertTrue(lingering.recv().startsWith("GBPUSD "));
                server.destroy();
                assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server stops on SIGTERM");
            }
            assertEquals("", Files.readString(errors), "the server stops quietly, a client connected or not");
        } finally {
            server.destroy();
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server stops on SIGTERM");
            Files.deleteIfExists(errors);
        }
        assertTrue(Multiproc.listObjects().stream().noneMatch(object -> object.name().equals("mp-n-" + QuoteServer.SERVICE)
                        || object.name().equals("mp-n-" + QuoteServer.PRICES)),
                "the server's listener and prices are gone: " + Multiproc.listObjects());
    }
}
