package dev.handoff.control.security;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Every JAX-RS route of control-service, found by reflection over its compiled classes (not its tests). */
final class Routes {
    /**
     * A route.
     *
     * @param httpMethod GET, POST, …
     * @param path the path template, e.g. {@code /api/deployments/{id}}
     * @param type the resource class
     * @param method the resource method
     */
    record Route(String httpMethod, String path, Class<?> type, Method method) {
        @Override
        public String toString() {
            return httpMethod + " " + path + " (" + type.getSimpleName() + "." + method.getName() + ")";
        }

        /** The path with every parameter replaced by a value that names nothing. */
        String concretePath() {
            return path.replaceAll("\\{[^}]+}", "00000000-0000-4000-8000-000000000000");
        }
    }

    private Routes() {}

    /** Every route, sorted by path. */
    static List<Route> all() {
        List<Route> routes = new ArrayList<>();
        for (Class<?> type : resourceClasses()) {
            String base = type.getAnnotation(Path.class).value();
            for (Method m : type.getMethods()) {
                if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                String verb = httpMethod(m);
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                routes.add(new Route(verb, join(base, sub == null ? "" : sub.value()), type, m));
            }
        }
        routes.sort(Comparator.comparing(Route::path).thenComparing(Route::httpMethod));
        return routes;
    }

    private static List<Class<?>> resourceClasses() {
        // Maven runs tests in the module's folder; the main classes, not the tests', are the service's routes
        java.nio.file.Path root = java.nio.file.Path.of("target", "classes");
        List<Class<?>> types = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path f :
                    files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f)
                        .toString()
                        .replace(java.io.File.separatorChar, '.')
                        .replaceAll("\\.class$", "");
                if (name.contains("$") || name.endsWith("package-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, Routes.class.getClassLoader());
                if (type.isAnnotationPresent(Path.class)) {
                    types.add(type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return types;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
