package dev.handoff.lab.launcher;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a Quarkus service, run by {@link ServiceProcessTest} in its own JVM: {@code <port> <mode>}.
 * Modes: {@code ready} answers 200 on {@code /q/health/ready}; {@code unready} answers 503; {@code crash} exits 3;
 * {@code stubborn} is ready but does not stop on SIGTERM.
 */
public final class FakeService {
    private FakeService() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = Integer.parseInt(args[0]);
        String mode = args[1];
        System.out.println("fake service: LAB_PROBE=" + System.getenv("LAB_PROBE") + " HANDOFF_OPERATOR_TOKEN="
                + System.getenv("HANDOFF_OPERATOR_TOKEN"));
        if (mode.equals("crash")) {
            System.out.println("fake service: boom, configuration missing");
            System.exit(3);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        int status = mode.equals("unready") ? 503 : 200;
        server.createContext("/q/health/ready", exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        if (mode.equals("stubborn")) {
            CountDownLatch never = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        new CountDownLatch(1).await();
    }
}
