package io.tsfleet.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The main class of the stand-in "service jars" of {@link LocalFleetTest}: a process that takes a Spring Boot service's
 * command line, writes it to {@code arguments.txt} and its start time ({@link System#nanoTime()}) to
 * {@code started.txt} in its working directory, answers {@code /actuator/health} with
 * UP on {@code --server.address}:{@code --server.port}, and appends {@code stopped <System.nanoTime()>} to
 * {@code ../stops.txt} when it is stopped (SIGTERM). {@code --stand-in.exit=N} makes it exit with N at once instead.
 */
public final class StandInService {
    private StandInService() {
    }

    public static void main(String[] args) throws IOException {
        long started = System.nanoTime();
        List<String> arguments = List.of(args);
        Files.write(Path.of("arguments.txt"), arguments, StandardCharsets.UTF_8);
        Files.writeString(Path.of("started.txt"), Long.toString(started), StandardCharsets.UTF_8);
        String exit = value(arguments, "--stand-in.exit=");
        if (exit != null) System.exit(Integer.parseInt(exit));
        String name = Path.of("").toAbsolutePath().getFileName().toString();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(Path.of("..", "stops.txt"), name + " " + System.nanoTime() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }));
        InetAddress address = InetAddress.getByName(value(arguments, "--server.address="));
        HttpServer http = HttpServer.create(new InetSocketAddress(address, Integer.parseInt(value(arguments, "--server.port="))), 0);
        http.createContext("/actuator/health", x -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
    }

    private static String value(List<String> arguments, String prefix) {
        return arguments.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).reduce((a, b) -> b).orElse(null);
    }
}
